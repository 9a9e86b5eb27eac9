import { countSeries, findOpenDataAppeal, parseCountSeriesRequest } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals/{slug}/count-series?interval=hour|day&from=&to=: the count over time (UTC). */
export const loader = openDataLoader(async ({ context, params, query }) => {
  // Parameters first: a bad one is a 400 whether or not the appeal exists.
  const request = parseCountSeriesRequest({ interval: query.get("interval"), from: query.get("from"), to: query.get("to") });
  const found = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: null });
  return { slug: found.appeal.slug, ...(await countSeries(context.db, found, request)) };
});
