import type { LoaderFunctionArgs } from "@remix-run/node";
import { paperSheetTemplate } from "~/domain/paper-signatures";
import { attachmentDisposition } from "~/http";
import { requireOrganizer } from "~/infra/organizer-guard.server";

/** GET /organize/appeals/<id>/paper-template.csv — the header row (and one example) of a paper sheet. */
export function loader({ context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  // With a byte order mark, so that Excel opens it as UTF-8.
  return new Response(`\uFEFF${paperSheetTemplate()}`, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": attachmentDisposition("paper-signatures-template.csv") },
  });
}
