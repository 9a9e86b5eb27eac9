import type { AppLoadContext } from "@remix-run/node";
import type { SignedInOrganizer } from "~/domain/organizers";
import {
  exportChoicesFromSearchParams,
  findExportableAppeal,
  openSignatureExport,
  parseExportChoices,
  type ExportFormat,
} from "~/domain/exports.server";
import { attachmentDisposition, startStreamingBody } from "~/http";
import { createTranslator } from "~/i18n/languages.server";
import { pathForLog } from "./logger.server";

/** Exports hold personal data: never stored by a cache, never guessed into another type. */
const privateFileHeaders = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } as const;

/**
 * How long a download may take nothing before its export is stopped (a paused download would
 * otherwise hold one of the few export connections, and a database snapshot, indefinitely).
 * A slow but steady connection reads far more often than this.
 */
const exportStallTimeoutMs = 2 * 60_000;

function plainText(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...privateFileHeaders, ...extra } });
}

/**
 * The download of an appeal's signatures (GET …/export.csv and …/export.json): the choices
 * come as query parameters (scope=all|listed, from, to as YYYY-MM-DD in UTC, bom=on). A mistake
 * in them is a 400 that says what to fix; the rows stream from the database as the client reads.
 */
export async function signatureExportResponse(args: {
  request: Request;
  context: AppLoadContext;
  appealId: string | undefined;
  organizer: SignedInOrganizer;
  format: ExportFormat;
}): Promise<Response> {
  const { request, context, organizer, format } = args;
  // A download another site started (a link, a window it opened) carries the session cookie
  // (SameSite=Lax allows a top-level navigation), so a page could drop the signer list into an
  // organizer's downloads and an export into the audit log in their name. It goes to the export
  // page instead, where the organizer sees what they are about to download.
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") {
    return new Response(null, { status: 303, headers: { Location: `/organize/appeals/${encodeURIComponent(args.appealId ?? "")}/export`, ...privateFileHeaders } });
  }
  const { t } = createTranslator(context.locale);
  const appeal = await findExportableAppeal(context.db, { id: args.appealId ?? "" });
  if (!appeal) return plainText(404, t("export.errors.notFound"));

  const choices = parseExportChoices(exportChoicesFromSearchParams(new URL(request.url).searchParams));
  if (!choices.ok) {
    const problems = Object.entries(choices.fieldErrors).map(([field, error]) => `${field}: ${t(error!.id, error!.values)}`);
    return plainText(400, problems.join("\n"));
  }

  const exported = openSignatureExport(
    { pool: context.pg, db: context.db },
    { appeal, format, choices: choices.value, actor: { id: organizer.id, name: organizer.name, email: organizer.email } },
  );
  const headers = { "Content-Type": exported.contentType, "Content-Disposition": attachmentDisposition(exported.fileName), ...privateFileHeaders };
  // Asking for the headers alone must not start the database's work nor count as an export.
  if (request.method === "HEAD") return new Response(null, { headers });

  const path = pathForLog(new URL(request.url).pathname);
  exported.finished.then(
    (outcome) => context.log.info({ path, format, ...outcome }, "signatures exported"),
    (error: unknown) => context.log.error({ err: error, path }, "export not recorded in the audit log"),
  );
  try {
    return new Response(await startStreamingBody(exported.chunks, { stallTimeoutMs: exportStallTimeoutMs }), { headers });
  } catch (error) {
    // The database is down or every export connection is busy: ours to fix or wait out.
    context.log.error({ err: error, path }, "export could not start");
    return plainText(503, t("export.errors.unavailable"), { "Retry-After": "60" });
  }
}
