import { Form, Link } from "@remix-run/react";
import { signatureFields, signatureLimits, signFormHiddenFields, type SignatureField, type SignatureFieldErrors, type SignatureFormFields } from "~/domain/sign-form-fields";
import { useT } from "~/i18n/react";
import { CheckboxField, ProblemSummary, SelectField, TextArea, TextField, useDocumentPostPending } from "./form-fields";
import { ProofOfWorkWidget } from "./proof-of-work-widget";

type Props = {
  countries: { code: string; name: string }[];
  /** What was typed, echoed back after a failed submission so nothing is lost. */
  fields?: SignatureFormFields;
  fieldErrors?: SignatureFieldErrors;
  /** When the page was rendered, signed by the server (a submission far faster than a person is held). */
  formIssuedAt: string;
  /** Null when the appeal asks for no proof of work; else whether the last submission lacked it. */
  /** Null when the appeal never asks for proof of work; `always` when it asks every signer. */
  proofOfWork: { always: boolean; problem: "missing" | "failed" | null } | null;
};

/**
 * The sign form. A plain POST, with or without JavaScript (decision 036); a page that comes back
 * with problems moves the focus to their summary, whose links lead to each field.
 */
export function SignForm({ countries, fields = {}, fieldErrors = {}, formIssuedAt, proofOfWork }: Props) {
  const { t, rich } = useT();
  const { pending: submitting, onSubmit } = useDocumentPostPending();

  const errorFor = (field: SignatureField) => {
    const error = fieldErrors[field];
    return error ? t(error.id, error.max === undefined ? undefined : { max: error.max }) : null;
  };
  const problems = signatureFields.flatMap((field) => {
    const message = errorFor(field);
    return message ? [{ field, message }] : [];
  });

  return (
    <Form method="post" reloadDocument onSubmit={onSubmit} className="form sign-form" id="sign-form" noValidate aria-labelledby="sign-heading">
      <h2 id="sign-heading">{t("signForm.heading")}</h2>
      <ProblemSummary problems={problems} answer={fieldErrors} />
      {proofOfWork?.problem ? (
        <div className="error-summary" role="alert">
          {t(proofOfWork.problem === "missing" ? "signForm.proofOfWorkNeedsJavaScript" : "signForm.proofOfWorkFailed")}
        </div>
      ) : null}

      <TextField name="fullName" label={t("signForm.fullName")} autoComplete="name" required maxLength={signatureLimits.fullName} defaultValue={fields.fullName} error={errorFor("fullName")} />
      <TextField
        name="email"
        type="email"
        label={t("signForm.email")}
        hint={t("signForm.emailHint")}
        autoComplete="email"
        required
        maxLength={signatureLimits.email}
        defaultValue={fields.email}
        error={errorFor("email")}
      />
      <TextField
        name="role"
        label={t("signForm.role")}
        hint={t("signForm.roleHint")}
        optional
        autoComplete="organization-title"
        maxLength={signatureLimits.role}
        defaultValue={fields.role}
        error={errorFor("role")}
      />
      <SelectField
        name="country"
        label={t("signForm.country")}
        optional
        autoComplete="country"
        defaultValue={fields.country ?? ""}
        options={[{ value: "", label: t("signForm.countryNone") }, ...countries.map((country) => ({ value: country.code, label: country.name }))]}
        error={errorFor("country")}
      />
      <TextField name="city" label={t("signForm.city")} optional autoComplete="address-level2" maxLength={signatureLimits.city} defaultValue={fields.city} error={errorFor("city")} />
      <TextArea
        name="comment"
        label={t("signForm.comment")}
        hint={t("signForm.commentHint", { max: signatureLimits.comment })}
        optional
        maxLength={signatureLimits.comment}
        defaultValue={fields.comment}
        error={errorFor("comment")}
      />
      <CheckboxField name="showPublicly" label={t("signForm.showPublicly")} defaultChecked={fields.showPublicly === "on"} />
      <CheckboxField name="wantsUpdates" label={t("signForm.wantsUpdates")} defaultChecked={fields.wantsUpdates === "on"} />
      <CheckboxField
        name="acceptPrivacy"
        required
        defaultChecked={fields.acceptPrivacy === "on"}
        error={errorFor("acceptPrivacy")}
        label={rich("signForm.acceptPrivacy", {
          link: (chunks) => (
            <Link to="/privacy" target="_blank">
              {chunks}
            </Link>
          ),
        })}
      />

      {/* Bots fill every field; people never see this one. */}
      <div className="honeypot" aria-hidden="true">
        <label htmlFor={signFormHiddenFields.honeypot}>{t("signForm.honeypot")}</label>
        <input id={signFormHiddenFields.honeypot} name={signFormHiddenFields.honeypot} type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <input type="hidden" name={signFormHiddenFields.issuedAt} value={formIssuedAt} />
      {proofOfWork ? <ProofOfWorkWidget load={proofOfWork.always || proofOfWork.problem ? "now" : "whenSigning"} /> : null}

      <button type="submit" className="button wide" disabled={submitting}>
        {submitting ? t("signForm.submitting") : t("signForm.submit")}
      </button>
    </Form>
  );
}
