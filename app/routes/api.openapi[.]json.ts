import { openApiDocument } from "~/open-data-openapi";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/openapi.json: the description of every open-data route. */
export const loader = openDataLoader(({ context }) => openApiDocument(context.publicUrl));
