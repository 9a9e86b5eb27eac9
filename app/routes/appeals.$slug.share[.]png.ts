import type { LoaderFunctionArgs } from "@remix-run/node";
import { getSharedAppeal, progressTowardGoal } from "~/domain/sharing";
import { createTranslator, supportedLocales } from "~/i18n/languages.server";
import { shareImages } from "~/infra/share-image.server";

/**
 * The image a shared link shows (og:image): the title, the count and the goal, the publisher.
 * Social sites fetch it once per link; browsers and CDNs may keep it a minute, after which the
 * count on it catches up.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  // ?lang= as on the appeal page: the image of a page read in another language shows that text.
  const appeal = await getSharedAppeal(context.db, params.slug ?? "", context.readingLanguage);
  if (!appeal) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  // Words around the title in the title's language when the site speaks it.
  const { t } = createTranslator(supportedLocales.includes(appeal.locale) ? appeal.locale : context.locale);
  const png = await shareImages.imageFor({
    lang: appeal.locale,
    title: appeal.title,
    countText: t("sharing.imageCount", { count: appeal.confirmed }),
    goalText: appeal.signatureGoal ? t("sharing.imageGoal", { goal: appeal.signatureGoal }) : null,
    progress: progressTowardGoal(appeal.confirmed, appeal.signatureGoal),
    publisherText: t("sharing.imagePublisher", { publisher: appeal.publisherName }),
    siteText: `${t("site.name")} · ${new URL(context.publicUrl).host}`,
  });
  return new Response(new Uint8Array(png), {
    headers: {
      "Content-Type": "image/png",
      "Content-Length": String(png.byteLength),
      "Cache-Control": "public, max-age=60",
      Vary: "Accept-Language",
    },
  });
}
