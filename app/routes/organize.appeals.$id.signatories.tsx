import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, TextArea, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { appealLimits, getSignatories, parseSignatoryLines, saveSignatories, type Signatory } from "~/domain/appeal-editing";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields, readIndexedRows } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "signatories.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  if (!(await context.db.appeal.findUnique({ where: { id: params.id ?? "" }, select: { id: true } }).catch(() => null))) throw data(null, { status: 404 });
  return { signatories: await getSignatories(context.db, params.id ?? "") };
}

type Result = { rows: Signatory[]; pasted: string; fieldErrors: FieldErrors; notice: { id: "signatories.saved" } | { id: "signatories.added"; count: number } | null };

/**
 * One form holds the whole list, so every button — save, move, remove, add a row, paste —
 * carries what was typed in every row and nothing is lost. Moves, removals and pastes are saved
 * at once; "add a row" only shows an empty row to fill in.
 */
export async function action({ params, request, context }: ActionFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  let rows: Signatory[] = readIndexedRows(form, "signatories", ["name", "role"] as const, appealLimits.signatories + 1);
  const pasted = form.get("pasted") ?? "";
  const [intent = "save", indexText = ""] = (form.get("intent") ?? "save").split(":");
  const index = Number(indexText);
  const respond = (result: Result, status = 200) => data(result, { status });

  if (intent === "add") return respond({ rows: [...rows, { name: "", role: "" }], pasted, fieldErrors: {}, notice: null });
  if (intent === "up" && index > 0 && index < rows.length) rows = swap(rows, index, index - 1);
  if (intent === "down" && index >= 0 && index < rows.length - 1) rows = swap(rows, index, index + 1);
  if (intent === "remove" && index >= 0 && index < rows.length) rows = rows.filter((_, position) => position !== index);
  let added = 0;
  if (intent === "paste") {
    const parsed = parseSignatoryLines(pasted);
    if (parsed.problems.length > 0) {
      const lines = parsed.problems.map((problem) => problem.line).join(", ");
      return respond({ rows, pasted, fieldErrors: { pasted: { id: "errors.pastedLines", values: { count: parsed.problems.length, lines } } }, notice: null }, 400);
    }
    rows = [...rows, ...parsed.signatories];
    added = parsed.signatories.length;
  }
  // A row left completely empty is not a signatory: it is dropped rather than reported.
  rows = rows.filter((row) => row.name.trim() !== "" || row.role.trim() !== "");
  const saved = await saveSignatories(context.db, appealId, rows);
  if (!saved.ok) return respond({ rows, pasted: intent === "paste" ? "" : pasted, fieldErrors: saved.fieldErrors, notice: null }, 400);
  return respond({ rows: [], pasted: "", fieldErrors: {}, notice: intent === "paste" ? { id: "signatories.added", count: added } : { id: "signatories.saved" } });
}

function swap<T>(items: T[], a: number, b: number): T[] {
  const copy = [...items];
  [copy[a], copy[b]] = [copy[b]!, copy[a]!];
  return copy;
}

export default function SignatoriesPage() {
  const { signatories } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  const rows = result && (result.rows.length > 0 || Object.keys(result.fieldErrors).length > 0) ? result.rows : signatories;
  const order = [...rows.flatMap((_, index) => [`signatories.${index}.name`, `signatories.${index}.role`]), "signatories", "pasted"];

  return (
    <>
      <p className="lead">{t("signatories.intro")}</p>
      {result?.notice ? (
        <p className="notice" role="status">
          {result.notice.id === "signatories.added" ? t("signatories.added", { count: result.notice.count }) : t("signatories.saved")}
        </p>
      ) : null}
      <ErrorSummary fieldErrors={result?.fieldErrors} order={order} />
      {/* Saved: the form starts again from what is stored (and the paste box empties). */}
      <Form method="post" className="form signatories-form" noValidate key={result?.notice ? JSON.stringify(signatories) : "editing"}>
        {/* Enter in a field presses the first submit button of the form: make that "Save". */}
        <button type="submit" name="intent" value="save" className="visually-hidden" tabIndex={-1} aria-hidden="true" />
        {rows.length === 0 ? <p>{t("signatories.empty")}</p> : null}
        <ol className="signatory-rows">
          {rows.map((row, index) => {
            const label = row.name || t("signatories.row", { number: index + 1 });
            return (
              <li key={`${index}-${row.name}`} className="signatory-row">
                <div className="signatory-fields">
                  <TextField name={`signatories.${index}.name`} label={t("signatories.name")} maxLength={appealLimits.signatoryName} defaultValue={row.name} error={message(`signatories.${index}.name`)} />
                  <TextField name={`signatories.${index}.role`} label={t("signatories.role")} optional maxLength={appealLimits.signatoryRole} defaultValue={row.role} error={message(`signatories.${index}.role`)} />
                </div>
                <div className="row-actions">
                  <button type="submit" name="intent" value={`up:${index}`} className="link-button" disabled={index === 0} aria-label={t("signatories.moveUpLabel", { name: label })}>
                    {t("signatories.moveUp")}
                  </button>
                  <button type="submit" name="intent" value={`down:${index}`} className="link-button" disabled={index === rows.length - 1} aria-label={t("signatories.moveDownLabel", { name: label })}>
                    {t("signatories.moveDown")}
                  </button>
                  <button type="submit" name="intent" value={`remove:${index}`} className="link-button danger-link" aria-label={t("signatories.removeLabel", { name: label })}>
                    {t("signatories.remove")}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
        <div className="button-row">
          <button type="submit" name="intent" value="save" className="button" disabled={navigation.state !== "idle"}>
            {t("signatories.save")}
          </button>
          <button type="submit" name="intent" value="add" className="button secondary">
            {t("signatories.addRow")}
          </button>
        </div>
        <section aria-labelledby="paste-heading" className="card section">
          <h2 id="paste-heading">{t("signatories.pasteHeading")}</h2>
          <TextArea name="pasted" label={t("signatories.pasteLabel")} hint={t("signatories.pasteHint")} rows={6} defaultValue={result?.pasted} error={message("pasted")} />
          <button type="submit" name="intent" value="paste" className="button">
            {t("signatories.pasteSubmit")}
          </button>
        </section>
      </Form>
    </>
  );
}
