import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { getSignatureCounts } from "~/domain/counts";
import {
  applyPaperImport,
  discardPaperImport,
  getStagedPaperImport,
  listPaperImports,
  maxPaperSheetBytes,
  maxPaperSheetRows,
  stagePaperImport,
  undoPaperImport,
  type PaperRowResult,
  type SheetProblem,
} from "~/domain/paper-signatures";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields } from "~/http";
import type { MessageId } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { readMultipartForm, RequestTooLarge } from "~/infra/multipart.server";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "paper.title" }) }];

/** Rows of each kind shown in the preview; the counts above the tables cover them all. */
const shownRejected = 500;
const shownAccepted = 100;

const pagePath = (appealId: string) => `/organize/appeals/${appealId}/paper`;

/**
 * Only types of domain/paper-signatures may be used by the component below: the module reads
 * files and talks to the database, and must stay out of the browser's bundle.
 *
 * Paper signatures: upload a CSV (checked and staged, nothing applied), look at the preview, import
 * it, undo an import. The rules live in domain/paper-signatures.ts; this reads forms and renders.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const query = new URL(request.url).searchParams;
  const importId = query.get("import");
  const [staged, imports, counts] = await Promise.all([
    importId ? getStagedPaperImport(context.db, appealId, importId) : null,
    listPaperImports(context.db, appealId),
    getSignatureCounts(context.db, appealId),
  ]);
  const notice = readNotice(query);
  const preview = staged
    ? {
        id: staged.id,
        fileName: staged.fileName,
        total: staged.preview.total,
        accepted: staged.preview.accepted,
        rejected: staged.preview.rejected,
        rejectedRows: staged.preview.rows.filter((row) => !row.accepted).slice(0, shownRejected),
        acceptedRows: staged.preview.rows.filter((row) => row.accepted).slice(0, shownAccepted),
      }
    : null;
  const limits = { maxMegabytes: maxPaperSheetBytes / 1024 / 1024, maxRows: maxPaperSheetRows };
  return { appealId, preview, imports, counts, notice, limits, importGone: Boolean(importId && !staged) };
}

type Notice = { kind: "imported" | "undone"; count: number } | { kind: "discarded" } | null;

function readNotice(query: URLSearchParams): Notice {
  for (const kind of ["imported", "undone"] as const) {
    const value = query.get(kind);
    if (value && /^\d{1,9}$/.test(value)) return { kind, count: Number(value) };
  }
  return query.has("discarded") ? { kind: "discarded" } : null;
}

function sheetError(problem: SheetProblem & { ok?: false }): FieldErrors {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- `ok` is not a value of the message
  const { problem: id, ok, ...values } = problem;
  return { file: { id: `paper.errors.${id}` satisfies MessageId, values: values as Record<string, string | number> } };
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const page = pagePath(appealId);

  if (request.headers.get("content-type")?.startsWith("multipart/form-data")) {
    let form;
    try {
      form = await readMultipartForm(request, { fileField: "file", maxFileBytes: maxPaperSheetBytes });
    } catch (error) {
      if (!(error instanceof RequestTooLarge)) throw error;
      return data({ fieldErrors: sheetError({ problem: "tooLarge", maxMegabytes: maxPaperSheetBytes / 1024 / 1024 }), failure: null }, { status: 413 });
    }
    if (!form) throw data(null, { status: 400 });
    const file = form.file;
    const sheet = file.status === "none" ? null : file.status === "tooLarge" ? { fileName: file.fileName, tooLarge: true as const } : { fileName: file.fileName, bytes: file.bytes };
    const staged = await stagePaperImport(context.db, organizer, appealId, sheet);
    if (!staged.ok) return data({ fieldErrors: sheetError(staged), failure: null }, { status: staged.problem === "tooLarge" ? 413 : 400 });
    return redirect(`${page}?import=${staged.importId}#preview`, 303);
  }

  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const intent = form.get("intent") ?? "";
  const importId = form.get("import") ?? "";
  if (intent === "import") {
    const outcome = await applyPaperImport(context.db, organizer, appealId, importId);
    if (!outcome.ok) return data({ fieldErrors: {}, failure: outcome.reason === "archived" ? ("paper.importRefused" as const) : ("paper.importGone" as const) }, { status: 409 });
    return redirect(`${page}?imported=${outcome.imported}`, 303);
  }
  if (intent === "discard") {
    await discardPaperImport(context.db, appealId, importId);
    return redirect(`${page}?discarded=1`, 303);
  }
  if (intent === "undo") {
    const removed = await undoPaperImport(context.db, organizer, appealId, importId);
    if (removed === null) return data({ fieldErrors: {}, failure: "paper.undoUnknown" as const }, { status: 409 });
    return redirect(`${page}?undone=${removed}`, 303);
  }
  throw data(null, { status: 400 });
}

export default function PaperSignaturesPage() {
  const { appealId, preview, imports, counts, notice, limits, importGone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, dateTime } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  const busy = navigation.state !== "idle";
  const uploading = navigation.state === "submitting" && navigation.formEncType === "multipart/form-data";
  const importing = navigation.state === "submitting" && navigation.formData?.get("intent") === "import";
  const page = pagePath(appealId);

  return (
    <section aria-labelledby="paper-title" className="paper-page">
      <h2 id="paper-title">{t("paper.title")}</h2>
      <ErrorSummary fieldErrors={result?.fieldErrors} order={["file"]} />
      <div role="status">
        {notice?.kind === "imported" ? <p className="notice">{t("paper.imported", { count: notice.count })}</p> : null}
        {notice?.kind === "undone" ? <p className="notice">{t("paper.undone", { count: notice.count })}</p> : null}
        {notice?.kind === "discarded" ? <p className="notice">{t("paper.discarded")}</p> : null}
      </div>
      {result?.failure || importGone ? (
        <p className="error-summary" role="alert">
          {t(result?.failure ?? "paper.importGone")}
        </p>
      ) : null}
      <p className="lead">{t("paper.intro")}</p>
      <p className="hint">{t("paper.rules")}</p>
      <p className="paper-counts" data-testid="paper-counts">
        {t("paper.counts", { confirmed: counts.confirmed, listed: counts.listed })}
      </p>

      {preview ? (
        <section id="preview" aria-labelledby="preview-heading" className="section paper-preview">
          <h3 id="preview-heading">{t("paper.previewHeading", { fileName: preview.fileName })}</h3>
          <p data-testid="paper-summary">{t("paper.previewSummary", { total: preview.total, accepted: preview.accepted, rejected: preview.rejected })}</p>
          <Form method="post" action={page} className="button-row">
            <input type="hidden" name="import" value={preview.id} />
            {/* A sheet with no row to import offers only to discard it (the summary says why). */}
            {preview.accepted > 0 ? (
              <button type="submit" name="intent" value="import" className="button" disabled={busy}>
                {importing ? t("paper.importing") : t("paper.import", { count: preview.accepted })}
              </button>
            ) : null}
            <button type="submit" name="intent" value="discard" className="button secondary" disabled={busy}>
              {t("paper.discard")}
            </button>
          </Form>
          {preview.rejectedRows.length > 0 ? (
            <>
              <h4 id="rejected-heading">{t("paper.rejectedHeading")}</h4>
                <table className="data-table paper-table" data-testid="paper-rejected" aria-labelledby="rejected-heading">
                  <thead>
                    <tr>
                      <th scope="col">{t("paper.columnRow")}</th>
                      <th scope="col">{t("paper.columnName")}</th>
                      <th scope="col">{t("paper.columnCity")}</th>
                      <th scope="col">{t("paper.columnReason")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.rejectedRows.map((row) => (row.accepted ? null : <RejectedRow key={row.row} row={row} />))}
                  </tbody>
                </table>
              {preview.rejected > preview.rejectedRows.length ? <p className="hint">{t("paper.moreRows", { count: preview.rejected - preview.rejectedRows.length })}</p> : null}
            </>
          ) : null}
          {preview.acceptedRows.length > 0 ? (
            <>
              <h4 id="accepted-heading">{t("paper.acceptedHeading")}</h4>
                <table className="data-table paper-table" data-testid="paper-accepted" aria-labelledby="accepted-heading">
                  <thead>
                    <tr>
                      <th scope="col">{t("paper.columnRow")}</th>
                      <th scope="col">{t("paper.columnName")}</th>
                      <th scope="col">{t("paper.columnCity")}</th>
                      <th scope="col">{t("paper.columnCountry")}</th>
                      <th scope="col">{t("paper.columnDate")}</th>
                      <th scope="col">{t("paper.columnListed")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.acceptedRows.map((row) =>
                      row.accepted ? (
                        <tr key={row.row}>
                          <td data-label={t("paper.columnRow")}>{row.row}</td>
                          <td data-label={t("paper.columnName")}>{row.signer.fullName}</td>
                          <td data-label={t("paper.columnCity")}>{row.signer.city}</td>
                          <td data-label={t("paper.columnCountry")}>{row.signer.country}</td>
                          <td data-label={t("paper.columnDate")}>{row.signer.collectedOn}</td>
                          <td data-label={t("paper.columnListed")}>{row.signer.showPublicly ? t("paper.yes") : t("paper.no")}</td>
                        </tr>
                      ) : null,
                    )}
                  </tbody>
                </table>
              {preview.accepted > preview.acceptedRows.length ? <p className="hint">{t("paper.moreRows", { count: preview.accepted - preview.acceptedRows.length })}</p> : null}
            </>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="upload-heading" className="section">
        <h3 id="upload-heading">{t("paper.uploadHeading")}</h3>
        <p>
          <a href={`${page}-template.csv`} download>
            {t("paper.template")}
          </a>
        </p>
        <Form method="post" action={page} encType="multipart/form-data" className="form" aria-labelledby="upload-heading">
          <TextField
            type="file"
            name="file"
            accept=".csv,text/csv"
            label={t("paper.fileLabel")}
            hint={t("paper.fileHint", limits)}
            error={message("file")}
          />
          <button type="submit" className="button" disabled={busy}>
            {uploading ? t("paper.checking") : t("paper.check")}
          </button>
        </Form>
      </section>

      <section aria-labelledby="history-heading" className="section">
        <h3 id="history-heading">{t("paper.historyHeading")}</h3>
        {imports.length === 0 ? (
          <p>{t("paper.historyEmpty")}</p>
        ) : (
            <table className="data-table paper-table" data-testid="paper-history" aria-labelledby="history-heading">
              <thead>
                <tr>
                  <th scope="col">{t("paper.columnFile")}</th>
                  <th scope="col">{t("paper.columnWhen")}</th>
                  <th scope="col">{t("paper.columnImported")}</th>
                  <th scope="col">{t("paper.columnStatus")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("paper.undo")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {imports.map((entry) => (
                  <tr key={entry.id}>
                    <td data-label={t("paper.columnFile")}>{entry.fileName}</td>
                    <td data-label={t("paper.columnWhen")}>{dateTime(new Date(entry.importedAt ?? entry.createdAt))}</td>
                    <td data-label={t("paper.columnImported")}>{entry.imported ?? 0}</td>
                    <td data-label={t("paper.columnStatus")}>
                      {entry.status === "UNDONE"
                        ? t("paper.statusUndone", { when: dateTime(new Date(entry.undoneAt ?? entry.createdAt)), who: entry.undoneBy ?? "", removed: entry.removed ?? 0 })
                        : t("paper.statusImported", { who: entry.importedBy ?? entry.uploadedBy })}
                    </td>
                    <td>
                      {entry.status === "IMPORTED" ? (
                        <Form method="post" action={page}>
                          <input type="hidden" name="import" value={entry.id} />
                          <button type="submit" name="intent" value="undo" className="button small danger" disabled={busy} aria-label={t("paper.undoLabel", { fileName: entry.fileName, count: entry.imported ?? 0 })}>
                            {t("paper.undo")}
                          </button>
                        </Form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
        )}
      </section>
    </section>
  );
}

function RejectedRow({ row }: { row: Extract<PaperRowResult, { accepted: false }> }) {
  const { t } = useT();
  return (
    <tr>
      <td data-label={t("paper.columnRow")}>{row.row}</td>
      <td data-label={t("paper.columnName")}>{row.cells.name}</td>
      <td data-label={t("paper.columnCity")}>{row.cells.city}</td>
      <td data-label={t("paper.columnReason")}>{t(`paper.problem.${row.problem}`)}</td>
    </tr>
  );
}
