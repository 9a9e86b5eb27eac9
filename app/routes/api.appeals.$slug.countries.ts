import { publicCountryMinimum } from "~/domain/countries";
import { countryBreakdown, findOpenDataAppeal } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals/{slug}/countries: confirmed signatures by country, small ones together; names in English. */
export const loader = openDataLoader(async ({ context, params }) => {
  const { id, appeal } = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: null });
  const { countries, otherCountries } = await countryBreakdown(context.db, id, "en");
  return { slug: appeal.slug, count: appeal.count, countries, otherCountries: { count: otherCountries, eachFewerThan: publicCountryMinimum } };
});
