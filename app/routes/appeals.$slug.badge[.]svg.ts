import { countBadgeSvg } from "~/components/count-badge";
import { findOpenDataAppeal } from "~/domain/open-data.server";
import { createTranslator } from "~/i18n/languages.server";
import { badgeCacheControl, conditionalResponse, openDataResource, openForEveryOrigin } from "~/open-data-http.server";

/** GET /appeals/{slug}/badge.svg: the count as a small image for other sites to embed. */
export const loader = openDataResource(async ({ context, params, request }) => {
  const { appeal } = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: context.locale });
  const { t } = createTranslator(context.locale);
  const value = t("openData.badgeCount", { count: appeal.count });
  const svg = countBadgeSvg({ label: t("site.name"), value, title: t("openData.badgeTitle", { title: appeal.title, count: value }) });
  return conditionalResponse(request, svg, {
    ...openForEveryOrigin,
    "Content-Type": "image/svg+xml; charset=utf-8",
    "Cache-Control": badgeCacheControl,
    // The words follow Accept-Language: a cache keeps one copy per language.
    Vary: "Accept-Language",
  });
});
