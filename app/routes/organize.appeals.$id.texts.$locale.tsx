import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { CheckboxField, ErrorSummary, TextArea, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { appealLimits, getAppealText, removeAppealText, saveAppealText } from "~/domain/appeal-editing";
import { renderMarkdown } from "~/domain/markdown.server";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "texts.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const text = await getAppealText(context.db, params.id ?? "", params.locale ?? "");
  if (!text) throw data(null, { status: 404 });
  return { text, bodyHtml: text.body ? renderMarkdown(text.body) : "" };
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const locale = params.locale ?? "";
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  if (form.get("intent") === "remove") {
    const outcome = await removeAppealText(context.db, appealId, locale);
    if (outcome === "removed") return redirect(`/organize/appeals/${appealId}/texts`, 303);
    return data({ fields: null, fieldErrors: {}, saved: false, cannotRemove: outcome === "original" }, { status: outcome === "original" ? 409 : 404 });
  }
  const fields = { title: form.get("title") ?? "", summary: form.get("summary") ?? "", body: form.get("body") ?? "", isOriginal: form.get("isOriginal") ?? "" };
  const saved = await saveAppealText(context.db, appealId, locale, fields);
  if (!saved.ok) return data({ fields, fieldErrors: saved.fieldErrors, saved: false, cannotRemove: false }, { status: 400 });
  return { fields: null, fieldErrors: {}, saved: true, cannotRemove: false };
}

export default function AppealTextPage() {
  const { text, bodyHtml } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, languageName } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  const values = result?.fields ?? { title: text.title, summary: text.summary, body: text.body, isOriginal: text.isOriginal ? "on" : "" };
  const language = languageName(text.locale);
  const appealId = useParams().id ?? "";

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/organize/appeals/${appealId}/texts`}>{t("texts.back")}</Link>
      </p>
      <h2>{t("texts.editTitle", { language })}</h2>
      {result?.saved ? (
        <p className="notice" role="status">
          {t("texts.saved")}
        </p>
      ) : null}
      {result?.cannotRemove ? (
        <p className="error-summary" role="alert">
          {t("texts.cannotRemoveOriginal")}
        </p>
      ) : null}
      <ErrorSummary fieldErrors={result?.fieldErrors} order={["title", "summary", "body"]} />
      <Form method="post" className="form" noValidate>
        <TextField name="title" label={t("texts.titleLabel")} lang={text.locale} maxLength={appealLimits.title} defaultValue={values.title} error={message("title")} />
        <TextArea name="summary" label={t("texts.summary")} hint={t("texts.summaryHint")} optional rows={2} lang={text.locale} maxLength={appealLimits.summary} defaultValue={values.summary} error={message("summary")} />
        <TextArea name="body" label={t("texts.body")} hint={t("texts.bodyHint")} className="tall" lang={text.locale} maxLength={appealLimits.body} defaultValue={values.body} error={message("body")} />
        <CheckboxField name="isOriginal" label={t("texts.isOriginal")} defaultChecked={values.isOriginal === "on"} disabled={text.isOriginal} />
        {text.isOriginal ? <input type="hidden" name="isOriginal" value="on" /> : null}
        <div className="button-row">
          <button type="submit" name="intent" value="save" className="button" disabled={navigation.state !== "idle"}>
            {navigation.state !== "idle" ? t("form.saving") : t("form.save")}
          </button>
          {text.exists && !text.isOriginal ? (
            <button type="submit" name="intent" value="remove" className="button danger" formNoValidate>
              {t("texts.remove")}
            </button>
          ) : null}
        </div>
      </Form>
      {bodyHtml ? (
        <section aria-labelledby="text-preview-heading" className="card section">
          <h2 id="text-preview-heading">{t("texts.previewHeading")}</h2>
          <div className="appeal-text" lang={text.locale} dangerouslySetInnerHTML={{ __html: bodyHtml }} />
        </section>
      ) : null}
    </>
  );
}
