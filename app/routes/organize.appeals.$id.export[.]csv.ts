import type { LoaderFunctionArgs } from "@remix-run/node";
import { signatureExportResponse } from "~/infra/export-download.server";
import { requireOrganizer } from "~/infra/organizer-guard.server";

/** GET /organize/appeals/<id>/export.csv — the confirmed signatures as CSV (see the export page). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const organizer = requireOrganizer(context, "exportSignatures");
  return signatureExportResponse({ request, context, appealId: params.id, organizer, format: "csv" });
}
