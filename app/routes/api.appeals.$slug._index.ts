import { findOpenDataAppeal, parseLanguage } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals/{slug}: one published appeal. */
export const loader = openDataLoader(async ({ context, params, query }) => {
  const { appeal } = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: parseLanguage(query.get("lang")) });
  return appeal;
});
