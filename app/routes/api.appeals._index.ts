import { listOpenDataAppeals, parseLanguage } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals: every published appeal, newest first (docs in /api/openapi.json). */
export const loader = openDataLoader(async ({ context, query }) => {
  const appeals = await listOpenDataAppeals(context.db, { publicUrl: context.publicUrl, language: parseLanguage(query.get("lang")) });
  return { appeals: appeals.map(({ summary: _summary, publishedAt: _publishedAt, ...appeal }) => appeal) };
});
