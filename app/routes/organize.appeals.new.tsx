import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { ErrorSummary, SelectField, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { appealLimits, commonTextLocales, createDraftAppeal } from "~/domain/appeal-editing";
import { readFormFields } from "~/http";
import { languageOf } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "newAppeal.title" }) }];

export function loader({ context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const fields = { locale: form.get("locale") ?? "", title: form.get("title") ?? "", slug: form.get("slug") ?? "", publisherName: form.get("publisherName") ?? "" };
  const created = await createDraftAppeal(context.db, organizer, fields);
  if (!created.ok) return data({ fieldErrors: created.fieldErrors, fields }, { status: 400 });
  return redirect(`/organize/appeals/${created.id}/texts/${encodeURIComponent(fields.locale)}?new`, 303);
}

export default function NewAppealPage() {
  const result = useActionData<typeof action>();
  const { t, locale, languageOptions } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/organize">{t("organize.navAppeals")}</Link>
      </p>
      <h1>{t("newAppeal.title")}</h1>
      <p className="lead">{t("newAppeal.intro")}</p>
      <ErrorSummary fieldErrors={result?.fieldErrors} order={["locale", "title", "slug", "publisherName"]} />
      <Form method="post" className="form" noValidate>
        <SelectField name="locale" label={t("newAppeal.locale")} defaultValue={result?.fields.locale || languageOf(locale)} error={message("locale")} options={languageOptions(commonTextLocales)} />
        <TextField name="title" label={t("newAppeal.titleLabel")} maxLength={appealLimits.title} defaultValue={result?.fields.title} error={message("title")} />
        <TextField name="slug" label={t("newAppeal.slug")} hint={t("newAppeal.slugHint")} optional spellCheck={false} defaultValue={result?.fields.slug} error={message("slug")} />
        <TextField name="publisherName" label={t("newAppeal.publisherName")} hint={t("newAppeal.publisherNameHint")} maxLength={appealLimits.publisherName} defaultValue={result?.fields.publisherName} error={message("publisherName")} />
        <button type="submit" className="button" disabled={navigation.state !== "idle"}>
          {t("newAppeal.submit")}
        </button>
      </Form>
    </div>
  );
}
