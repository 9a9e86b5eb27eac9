import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { TextArea, TextField } from "~/components/form-fields";
import { renderMarkdown } from "~/domain/markdown.server";
import {
  deleteUpdateDraft,
  getUpdateForEditing,
  saveUpdateTexts,
  sendTestUpdate,
  startSendingUpdate,
  updateBodyMaxLength,
  updateSubjectMaxLength,
  resumeSendingUpdate,
  validateUpdateTexts,
  type UpdateRefusal,
  type UpdateTextErrors,
} from "~/domain/updates";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

/** One update: its texts while a draft, a preview, "send a test to me", "send", and then its progress. */
export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "updates.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const update = await getUpdateForEditing(context.db, params.id ?? "", params.updateId ?? "");
  if (!update) throw data(null, { status: 404 });
  const previews = update.texts.map((text) => ({ locale: text.locale, subject: text.subject, html: renderMarkdown(text.body) }));
  return { update, previews, organizerEmail: organizer.email };
}

type ActionResult = {
  intent: "save" | "test" | "send" | "delete" | "resume";
  refusal?: UpdateRefusal;
  errors?: UpdateTextErrors;
  fields?: Record<string, { subject: string; body: string }>;
  recipients?: number;
};

const refusalStatus: Record<UpdateRefusal, number> = { notFound: 404, notDraft: 409, noText: 400, noRecipients: 409, notStalled: 409 };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const updateId = params.updateId ?? "";
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const intent = form.get("intent");
  if (intent === "test") {
    const refusal = await sendTestUpdate(context.db, appealId, updateId, organizer);
    return data<ActionResult>({ intent, refusal: refusal ?? undefined }, { status: refusal ? refusalStatus[refusal] : 200 });
  }
  if (intent === "delete") {
    const refusal = await deleteUpdateDraft(context.db, appealId, updateId, organizer);
    if (refusal) return data<ActionResult>({ intent, refusal }, { status: refusalStatus[refusal] });
    return redirect(`/organize/appeals/${appealId}/updates?deleted`, 303);
  }
  if (intent === "resume") {
    const refusal = await resumeSendingUpdate(context.db, appealId, updateId, organizer);
    if (!refusal) context.log.info({ appealId, updateId }, "update sending resumed");
    return data<ActionResult>({ intent, refusal: refusal ?? undefined }, { status: refusal ? refusalStatus[refusal] : 200 });
  }
  if (intent === "send") {
    const started = await startSendingUpdate(context.db, appealId, updateId, organizer);
    if (!started.ok) return data<ActionResult>({ intent, refusal: started.refusal }, { status: refusalStatus[started.refusal] });
    context.log.info({ appealId, updateId, recipients: started.recipients }, "update sending started");
    return data<ActionResult>({ intent, recipients: started.recipients });
  }
  const update = await getUpdateForEditing(context.db, appealId, updateId);
  if (!update) throw data(null, { status: 404 });
  const raw = update.locales.map((locale) => ({ locale, subject: form.get(`subject-${locale}`) ?? "", body: form.get(`body-${locale}`) ?? "" }));
  const fields = Object.fromEntries(raw.map(({ locale, subject, body }) => [locale, { subject, body }]));
  const validated = validateUpdateTexts(raw, update.locales);
  if (!validated.ok) return data<ActionResult>({ intent: "save", errors: validated.errors, fields, refusal: validated.formError }, { status: 400 });
  const refusal = await saveUpdateTexts(context.db, appealId, updateId, validated.texts);
  if (refusal) return data<ActionResult>({ intent: "save", refusal, fields }, { status: refusalStatus[refusal] });
  return data<ActionResult>({ intent: "save" });
}

/** A form of one button that tells the action what was pressed. */
function IntentButton({ intent, className, disabled, children }: { intent: ActionResult["intent"]; className: string; disabled: boolean; children: ReactNode }) {
  return (
    <Form method="post">
      <button type="submit" name="intent" value={intent} className={className} disabled={disabled}>
        {children}
      </button>
    </Form>
  );
}

export default function UpdatePage() {
  const { update, previews, organizerEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, dateTime, languageName } = useT();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const revalidator = useRevalidator();
  const sending = update.status === "SENDING" && !update.stalled;
  // While the worker sends, the progress below keeps itself current.
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1500);
    return () => clearInterval(timer);
  }, [sending, revalidator]);

  const { progress } = update;
  const errorText = (field: "subject" | "body", code: "required" | "tooLong" | undefined) =>
    code ? t(`updates.error.${field}${code === "required" ? "Required" : "TooLong"}`) : null;
  const textOf = (forLocale: string) =>
    result?.fields?.[forLocale] ?? update.texts.find((text) => text.locale === forLocale) ?? { subject: "", body: "" };

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/organize/appeals/${update.appealId}/updates`}>{t("updates.back")}</Link>
      </p>
      {result?.refusal ? (
        <p className="error-summary" role="alert">
          {t(`updates.refusal.${result.refusal}`)}
        </p>
      ) : null}
      {result?.intent === "save" && !result.refusal && !result.errors ? (
        <p className="notice" role="status">
          {t("updates.saved")}
        </p>
      ) : null}
      {result?.intent === "test" && !result.refusal ? (
        <p className="notice" role="status">
          {t("updates.testQueued", { email: organizerEmail })}
        </p>
      ) : null}
      {result?.intent === "resume" && !result.refusal ? (
        <p className="notice" role="status">
          {t("updates.resumed")}
        </p>
      ) : null}
      {result?.intent === "send" && result.recipients !== undefined ? (
        <p className="notice" role="status">
          {t("updates.sendStarted", { count: result.recipients })}
        </p>
      ) : null}

      {update.status === "DRAFT" ? (
        <>
          <h2>{t("updates.editHeading")}</h2>
          <Form method="post" className="form" noValidate>
            {update.locales.map((forLocale) => {
              const language = languageName(forLocale);
              const errors = result?.errors?.[forLocale];
              const text = textOf(forLocale);
              return (
                <fieldset key={forLocale} className="update-language">
                  <legend>{t("updates.textIn", { language })}</legend>
                  {forLocale !== update.defaultLocale ? <p className="hint">{t("updates.optionalLanguage")}</p> : null}
                  <TextField
                    name={`subject-${forLocale}`}
                    label={t("updates.subject")}
                    lang={forLocale}
                    maxLength={updateSubjectMaxLength}
                    defaultValue={text.subject}
                    error={errorText("subject", errors?.subject)}
                  />
                  <TextArea
                    name={`body-${forLocale}`}
                    label={t("updates.body")}
                    hint={t("updates.bodyHint")}
                    className="tall"
                    lang={forLocale}
                    maxLength={updateBodyMaxLength}
                    defaultValue={text.body}
                    error={errorText("body", errors?.body)}
                  />
                </fieldset>
              );
            })}
            <div className="button-row">
              <button type="submit" name="intent" value="save" className="button" disabled={busy}>
                {t("updates.save")}
              </button>
            </div>
          </Form>
        </>
      ) : (
        <section aria-labelledby="progress-heading" className="card section" aria-live="polite">
          <h2 id="progress-heading">{update.stalled ? t("updates.stalledStatus") : t(`updates.status.${update.status}`)}</h2>
          <p data-testid="update-progress">{t("updates.progress", { sent: progress.sent, recipients: progress.recipients, failed: progress.failed })}</p>
          <progress max={Math.max(progress.recipients, 1)} value={progress.recipients - progress.pending} aria-label={t("updates.colProgress")} />
          {progress.skipped > 0 ? <p>{t("updates.progressSkipped", { skipped: progress.skipped })}</p> : null}
          {update.sentByName && update.sendStartedAt ? <p>{t("updates.sentBy", { name: update.sentByName, date: dateTime(new Date(update.sendStartedAt)) })}</p> : null}
          {update.stalled ? (
            <div className="stalled-sending" data-testid="update-stalled">
              <p>
                <strong>{t("updates.stalled", { count: progress.pending })}</strong>
              </p>
              {update.stalled.lastError ? (
                <p>
                  {t("updates.stalledLastError")} <code>{update.stalled.lastError}</code>
                </p>
              ) : null}
              <p>{t("updates.stalledHelp")}</p>
              <IntentButton intent="resume" className="button" disabled={busy}>
                {t("updates.resumeButton")}
              </IntentButton>
            </div>
          ) : sending ? (
            <p className="hint">
              {t("updates.refreshing")} <Link to=".">{t("updates.refresh")}</Link>
            </p>
          ) : (
            <p className="hint">{t("updates.frozen")}</p>
          )}
        </section>
      )}

      {previews.map((preview) => (
        <section key={preview.locale} aria-labelledby={`preview-${preview.locale}`} className="card section">
          <h2 id={`preview-${preview.locale}`}>
            {previews.length > 1 ? t("updates.previewIn", { language: languageName(preview.locale) }) : t("updates.previewHeading")}
          </h2>
          <p lang={preview.locale}>
            <strong>{preview.subject}</strong>
          </p>
          <div className="appeal-text" lang={preview.locale} dangerouslySetInnerHTML={{ __html: preview.html }} />
        </section>
      ))}

      {update.status === "DRAFT" && previews.length > 0 ? (
        <>
          <section aria-labelledby="test-heading" className="card section">
            <h2 id="test-heading">{t("updates.testHeading")}</h2>
            <p>{t("updates.testBody", { email: organizerEmail })}</p>
            <IntentButton intent="test" className="button secondary" disabled={busy}>
              {t("updates.sendTest")}
            </IntentButton>
          </section>
          <section aria-labelledby="send-heading" className="card section">
            <h2 id="send-heading">{t("updates.sendHeading")}</h2>
            <p>{t("updates.sendBody", { count: update.eligibleRecipients })}</p>
            <IntentButton intent="send" className="button" disabled={busy || update.eligibleRecipients === 0}>
              {busy && navigation.formData?.get("intent") === "send" ? t("updates.sending") : t("updates.sendButton", { count: update.eligibleRecipients })}
            </IntentButton>
          </section>
        </>
      ) : null}

      {update.status === "DRAFT" ? (
        // Two presses, the first only opening this box: a draft's texts are gone once deleted.
        <details className="card section">
          <summary>{t("updates.deleteHeading")}</summary>
          <p>{t("updates.deleteBody")}</p>
          <IntentButton intent="delete" className="button danger" disabled={busy}>
            {t("updates.deleteButton")}
          </IntentButton>
        </details>
      ) : null}
    </>
  );
}
