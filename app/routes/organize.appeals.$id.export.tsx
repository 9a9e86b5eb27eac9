import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { CheckboxField, ErrorSummary, TextField, useFieldErrorMessages } from "~/components/form-fields";
import {
  countSignaturesToExport,
  exportChoicesFromSearchParams,
  exportColumns,
  findExportableAppeal,
  parseExportChoices,
} from "~/domain/exports.server";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "export.title" }) }];

/**
 * What an export holds, the choices, how many rows they give, and the two downloads. The form is
 * a plain GET form: without JavaScript "Update the count" reloads the page with the choices and
 * the download buttons fetch the file; with it, the count follows each change.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "exportSignatures");
  const appeal = await findExportableAppeal(context.db, { id: params.id ?? "" });
  if (!appeal) throw data(null, { status: 404 });
  const raw = exportChoicesFromSearchParams(new URL(request.url).searchParams);
  const choices = parseExportChoices(raw);
  return {
    appealId: appeal.id,
    columns: exportColumns,
    fields: { listedOnly: raw.scope === "listed", from: raw.from ?? "", to: raw.to ?? "", bom: Boolean(raw.bom) },
    fieldErrors: choices.ok ? undefined : choices.fieldErrors,
    count: choices.ok ? await countSignaturesToExport(context.db, appeal.id, choices.value) : null,
  };
}

const fieldOrder = ["scope", "from", "to", "bom"];

export default function ExportSignatures() {
  const page = useLoaderData<typeof loader>();
  const preview = useFetcher<typeof loader>();
  // The latest count: from the page, or from the preview once a choice has changed.
  const current = preview.data ?? page;
  const { t } = useT();
  const errorFor = useFieldErrorMessages(current.fieldErrors);
  const exportPath = `/organize/appeals/${page.appealId}/export`;
  const scopeError = errorFor("scope");

  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">{t("export.title")}</h2>
      <p>{t("export.intro")}</p>
      <div className="notice" role="note" aria-labelledby="personal-data-title">
        <h3 id="personal-data-title">{t("export.personalDataTitle")}</h3>
        <p>{t("export.personalData")}</p>
      </div>

      <h3>{t("export.columnsHeading")}</h3>
      <p>{t("export.columnsIntro")}</p>
      <table className="data-table">
        <tbody>
          {page.columns.map((column) => (
            <tr key={column}>
              <th scope="row">
                <code>{column}</code>
              </th>
              <td>{t(`export.column.${column}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t("export.formatsHint")}</p>

      <h3>{t("export.choicesHeading")}</h3>
      <ErrorSummary fieldErrors={page.fieldErrors} order={fieldOrder} />
      <form
        method="get"
        action={exportPath}
        className="form"
        aria-labelledby="export-title"
        onChange={(event) => preview.submit(event.currentTarget, { method: "get", action: exportPath })}
      >
        <fieldset className={scopeError ? "has-error" : undefined} aria-describedby={scopeError ? "scope-error" : undefined}>
          <legend>{t("export.scopeLegend")}</legend>
          {scopeError ? (
            <p className="error" id="scope-error">
              {scopeError}
            </p>
          ) : null}
          <div className="field">
            <label className="check" htmlFor="scope">
              <input id="scope" type="radio" name="scope" value="all" defaultChecked={!page.fields.listedOnly} />
              <span>{t("export.scopeAll")}</span>
            </label>
            <label className="check" htmlFor="scope-listed">
              <input id="scope-listed" type="radio" name="scope" value="listed" defaultChecked={page.fields.listedOnly} />
              <span>{t("export.scopeListed")}</span>
            </label>
          </div>
        </fieldset>
        <fieldset aria-describedby="dates-hint">
          <legend>{t("export.datesLegend")}</legend>
          <p className="hint" id="dates-hint">
            {t("export.datesHint")}
          </p>
          <TextField type="date" name="from" label={t("export.from")} optional defaultValue={page.fields.from} error={errorFor("from")} />
          <TextField type="date" name="to" label={t("export.to")} optional defaultValue={page.fields.to} error={errorFor("to")} />
        </fieldset>
        <CheckboxField name="bom" label={t("export.bom")} hint={t("export.bomHint")} defaultChecked={page.fields.bom} error={errorFor("bom")} />
        <div className="button-row">
          {/* First in the form, so Enter in a date field updates the count rather than downloading. */}
          <button type="submit" className="button secondary">
            {t("export.updateCount")}
          </button>
          <p role="status" className="export-count">
            {current.count === null ? null : t("export.count", { count: current.count })}
          </p>
        </div>
        <div className="button-row" role="group" aria-label={t("export.downloadsLegend")}>
          <button type="submit" className="button" formAction={`${exportPath}.csv`} disabled={current.count === null}>
            {t("export.downloadCsv")}
          </button>
          <button type="submit" className="button" formAction={`${exportPath}.json`} disabled={current.count === null}>
            {t("export.downloadJson")}
          </button>
        </div>
      </form>
    </section>
  );
}
