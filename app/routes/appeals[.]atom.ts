import type { LoaderFunctionArgs } from "@remix-run/node";
import { appealsFeedXml } from "~/components/appeals-feed";
import { listOpenDataAppeals } from "~/domain/open-data.server";
import { publicPageCacheHeaders } from "~/http";
import { createTranslator } from "~/i18n/languages.server";
import { openForEveryOrigin } from "~/open-data-http.server";

/** How many of the newest appeals the feed holds: readers poll it, and only want what is new. */
const feedEntries = 50;

/** GET /appeals.atom: appeals as they are published, newest first, titles in the reader's language when there. */
export async function loader({ context }: LoaderFunctionArgs) {
  const { t } = createTranslator(context.locale);
  const appeals = await listOpenDataAppeals(context.db, { publicUrl: context.publicUrl, language: context.locale, limit: feedEntries });
  const xml = appealsFeedXml({
    title: t("openData.feedTitle", { site: t("site.name") }),
    subtitle: t("openData.feedSubtitle"),
    author: t("site.name"),
    selfUrl: new URL("/appeals.atom", context.publicUrl).href,
    siteUrl: new URL("/", context.publicUrl).href,
    language: context.locale,
    entries: appeals.flatMap((appeal) =>
      appeal.publishedAt ? [{ title: appeal.title, summary: appeal.summary, url: appeal.url, publishedAt: appeal.publishedAt, language: appeal.language }] : [],
    ),
  });
  // Open data like the API: feed readers that run in a browser may fetch it from their own site.
  return new Response(xml, { headers: { ...publicPageCacheHeaders, ...openForEveryOrigin, "Content-Type": "application/atom+xml; charset=utf-8" } });
}
