import { countryBreakdown, findOpenDataAppeal } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals/{slug}/countries: confirmed signatures by country; names in English. */
export const loader = openDataLoader(async ({ context, params }) => {
  const { id, appeal } = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: null });
  return { slug: appeal.slug, count: appeal.count, countries: await countryBreakdown(context.db, id, "en") };
});
