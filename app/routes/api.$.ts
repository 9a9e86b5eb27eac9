import { OpenDataProblem } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** Any other address under /api: a JSON 404 pointing at the description, not the site's HTML page. */
export const loader = openDataLoader(() => {
  throw new OpenDataProblem(404, "No such API address. /api/openapi.json describes every one.");
});
