import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, TextArea, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { appealLimits, getAppealDetails, saveAppealDetails, type AppealDetails } from "~/domain/appeal-editing";
import { readFormFields, readIndexedRows } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "details.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const details = await getAppealDetails(context.db, params.id ?? "");
  if (!details) throw data(null, { status: 404 });
  return { details };
}

const textFields = ["slug", "publishedOn", "closesAt", "signatureGoal", "publisherName", "publisherAbout", "publisherEmail", "publisherWebsite", "supportUrl", "moreInfoUrl", "retentionMonths"] as const;

export async function action({ params, request, context }: ActionFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const fields = Object.fromEntries(textFields.map((name) => [name, form.get(name) ?? ""])) as Omit<AppealDetails, "phones">;
  const phones = readIndexedRows(form, "phones", ["label", "number"] as const, appealLimits.phones);
  const submitted: AppealDetails = { ...fields, phones };
  // "Add another phone number" keeps everything typed and shows one more empty row.
  if (form.get("intent") === "addPhone") return { fields: submitted, extraPhoneRows: 1, fieldErrors: {}, saved: false };
  const saved = await saveAppealDetails(context.db, params.id ?? "", submitted);
  if (!saved.ok) return data({ fields: submitted, extraPhoneRows: 0, fieldErrors: saved.fieldErrors, saved: false }, { status: 400 });
  return { fields: null, extraPhoneRows: 0, fieldErrors: {}, saved: true };
}

export default function AppealDetailsPage() {
  const { details } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  const values = result?.fields ?? details;
  const phoneRows = [...values.phones, ...Array.from({ length: (values.phones.length === 0 ? 1 : 0) + (result?.extraPhoneRows ?? 0) }, () => ({ label: "", number: "" }))];
  const order = [...textFields.slice(0, 4), "publisherName", "publisherAbout", "publisherEmail", ...phoneRows.flatMap((_, index) => [`phones.${index}.label`, `phones.${index}.number`]), "publisherWebsite", "supportUrl", "moreInfoUrl", "retentionMonths"];

  return (
    <>
      {result?.saved ? (
        <p className="notice" role="status">
          {t("details.saved")}
        </p>
      ) : null}
      <ErrorSummary fieldErrors={result?.fieldErrors} order={order} />
      <Form method="post" className="form" noValidate>
        {/* Enter in a field presses the first submit button of the form: make that "Save". */}
        <button type="submit" name="intent" value="save" className="visually-hidden" tabIndex={-1} aria-hidden="true" />
        <fieldset>
          <legend>{t("details.appealLegend")}</legend>
          <TextField name="slug" label={t("newAppeal.slug")} hint={t("details.slugHint")} spellCheck={false} defaultValue={values.slug} error={message("slug")} />
          <TextField name="publishedOn" type="date" label={t("details.publishedOn")} hint={t("details.publishedOnHint")} optional defaultValue={values.publishedOn} error={message("publishedOn")} />
          <TextField name="closesAt" type="datetime-local" label={t("details.closesAt")} hint={t("details.closesAtHint")} optional defaultValue={values.closesAt} error={message("closesAt")} />
          <TextField name="signatureGoal" inputMode="numeric" label={t("details.goal")} hint={t("details.goalHint")} optional defaultValue={values.signatureGoal} error={message("signatureGoal")} />
        </fieldset>
        <fieldset>
          <legend>{t("details.publisherLegend")}</legend>
          <TextField name="publisherName" label={t("details.publisherName")} maxLength={appealLimits.publisherName} defaultValue={values.publisherName} error={message("publisherName")} />
          <TextArea name="publisherAbout" label={t("details.about")} optional rows={3} maxLength={appealLimits.about} defaultValue={values.publisherAbout} error={message("publisherAbout")} />
          <TextField name="publisherEmail" type="email" label={t("details.email")} optional spellCheck={false} defaultValue={values.publisherEmail} error={message("publisherEmail")} />
          <fieldset className="phones">
            <legend>{t("details.phonesLegend")}</legend>
            {phoneRows.map((phone, index) => (
              <div className="phone-row" key={index} role="group" aria-label={t("details.phoneRow", { number: index + 1 })}>
                <TextField name={`phones.${index}.label`} label={t("details.phoneLabel")} hint={index === 0 ? t("details.phoneLabelHint") : undefined} optional maxLength={appealLimits.phoneLabel} defaultValue={phone.label} error={message(`phones.${index}.label`)} />
                <TextField name={`phones.${index}.number`} type="tel" label={t("details.phoneNumber")} maxLength={appealLimits.phoneNumber} defaultValue={phone.number} error={message(`phones.${index}.number`)} />
              </div>
            ))}
            {phoneRows.length < appealLimits.phones ? (
              <button type="submit" name="intent" value="addPhone" className="button secondary">
                {t("details.addPhone")}
              </button>
            ) : null}
          </fieldset>
          <TextField name="publisherWebsite" type="url" label={t("details.website")} optional spellCheck={false} defaultValue={values.publisherWebsite} error={message("publisherWebsite")} />
          <TextField name="supportUrl" type="url" label={t("details.supportUrl")} hint={t("details.supportUrlHint")} optional spellCheck={false} defaultValue={values.supportUrl} error={message("supportUrl")} />
          <TextField name="moreInfoUrl" type="url" label={t("details.moreInfoUrl")} optional spellCheck={false} defaultValue={values.moreInfoUrl} error={message("moreInfoUrl")} />
        </fieldset>
        <fieldset>
          <legend>{t("details.privacyLegend")}</legend>
          <TextField name="retentionMonths" inputMode="numeric" className="width-3" label={t("details.retentionMonths")} hint={t("details.retentionMonthsHint")} defaultValue={values.retentionMonths} error={message("retentionMonths")} />
        </fieldset>
        <button type="submit" name="intent" value="save" className="button" disabled={navigation.state !== "idle"}>
          {navigation.state !== "idle" ? t("form.saving") : t("form.save")}
        </button>
      </Form>
    </>
  );
}
