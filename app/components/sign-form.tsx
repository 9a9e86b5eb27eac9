import { Form, Link, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { signatureLimits, signFormHiddenFields, type SignatureField, type SignatureFieldErrors, type SignatureFormFields } from "~/domain/sign-form-fields";
import { useT } from "~/i18n/react";
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
 * The sign form. A plain POST that works without JavaScript; with it, Remix submits in the
 * background and focus moves to the first field that needs attention.
 */
export function SignForm({ countries, fields = {}, fieldErrors = {}, formIssuedAt, proofOfWork }: Props) {
  const { t, rich } = useT();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formMethod === "POST";
  const formRef = useRef<HTMLFormElement>(null);
  const hasErrors = Object.keys(fieldErrors).length > 0;

  useEffect(() => {
    if (!hasErrors) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [fieldErrors, hasErrors]);

  const errorFor = (field: SignatureField) => {
    const error = fieldErrors[field];
    return error ? t(error.id, error.max === undefined ? undefined : { max: error.max }) : null;
  };
  const describe = (field: SignatureField, hint?: boolean) =>
    [hint ? `${field}-hint` : null, fieldErrors[field] ? `${field}-error` : null].filter(Boolean).join(" ") || undefined;
  const errorText = (field: SignatureField) => {
    const message = errorFor(field);
    return message ? (
      <p className="error" id={`${field}-error`}>
        {message}
      </p>
    ) : null;
  };
  const optional = <span className="optional">({t("signForm.optional")})</span>;

  return (
    <Form method="post" className="sign-form" id="sign-form" noValidate ref={formRef} aria-labelledby="sign-heading">
      <h2 id="sign-heading">{t("signForm.heading")}</h2>
      {hasErrors ? (
        <div className="error-summary" role="alert">
          {t("signForm.errorSummary")}
        </div>
      ) : null}
      {proofOfWork?.problem ? (
        <div className="error-summary" role="alert">
          {t(proofOfWork.problem === "missing" ? "signForm.proofOfWorkNeedsJavaScript" : "signForm.proofOfWorkFailed")}
        </div>
      ) : null}

      <div className="field">
        <label htmlFor="fullName">{t("signForm.fullName")}</label>
        <input
          id="fullName"
          name="fullName"
          type="text"
          autoComplete="name"
          required
          maxLength={signatureLimits.fullName}
          defaultValue={fields.fullName}
          aria-invalid={fieldErrors.fullName ? true : undefined}
          aria-describedby={describe("fullName")}
        />
        {errorText("fullName")}
      </div>

      <div className="field">
        <label htmlFor="email">{t("signForm.email")}</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={signatureLimits.email}
          defaultValue={fields.email}
          aria-invalid={fieldErrors.email ? true : undefined}
          aria-describedby={describe("email", true)}
        />
        <p className="hint" id="email-hint">
          {t("signForm.emailHint")}
        </p>
        {errorText("email")}
      </div>

      <div className="field">
        <label htmlFor="role">
          {t("signForm.role")} {optional}
        </label>
        <input
          id="role"
          name="role"
          type="text"
          autoComplete="organization-title"
          maxLength={signatureLimits.role}
          defaultValue={fields.role}
          aria-invalid={fieldErrors.role ? true : undefined}
          aria-describedby={describe("role", true)}
        />
        <p className="hint" id="role-hint">
          {t("signForm.roleHint")}
        </p>
        {errorText("role")}
      </div>

      <div className="field">
        <label htmlFor="country">
          {t("signForm.country")} {optional}
        </label>
        <select
          id="country"
          name="country"
          autoComplete="country"
          defaultValue={fields.country ?? ""}
          aria-invalid={fieldErrors.country ? true : undefined}
          aria-describedby={describe("country")}
        >
          <option value="">{t("signForm.countryNone")}</option>
          {countries.map((country) => (
            <option key={country.code} value={country.code}>
              {country.name}
            </option>
          ))}
        </select>
        {errorText("country")}
      </div>

      <div className="field">
        <label htmlFor="city">
          {t("signForm.city")} {optional}
        </label>
        <input
          id="city"
          name="city"
          type="text"
          autoComplete="address-level2"
          maxLength={signatureLimits.city}
          defaultValue={fields.city}
          aria-invalid={fieldErrors.city ? true : undefined}
          aria-describedby={describe("city")}
        />
        {errorText("city")}
      </div>

      <div className="field">
        <label htmlFor="comment">
          {t("signForm.comment")} {optional}
        </label>
        <textarea
          id="comment"
          name="comment"
          maxLength={signatureLimits.comment}
          defaultValue={fields.comment}
          aria-invalid={fieldErrors.comment ? true : undefined}
          aria-describedby={describe("comment", true)}
        />
        <p className="hint" id="comment-hint">
          {t("signForm.commentHint", { max: signatureLimits.comment })}
        </p>
        {errorText("comment")}
      </div>

      <div className="field">
        <label className="check">
          <input type="checkbox" name="showPublicly" defaultChecked={fields.showPublicly === "on"} />
          <span>{t("signForm.showPublicly")}</span>
        </label>
      </div>
      <div className="field">
        <label className="check">
          <input type="checkbox" name="wantsUpdates" defaultChecked={fields.wantsUpdates === "on"} />
          <span>{t("signForm.wantsUpdates")}</span>
        </label>
      </div>
      <div className="field">
        <label className="check" htmlFor="acceptPrivacy">
          <input
            id="acceptPrivacy"
            type="checkbox"
            name="acceptPrivacy"
            required
            defaultChecked={fields.acceptPrivacy === "on"}
            aria-invalid={fieldErrors.acceptPrivacy ? true : undefined}
            aria-describedby={describe("acceptPrivacy")}
          />
          <span>
            {rich("signForm.acceptPrivacy", {
              link: (chunks) => (
                <Link to="/privacy" target="_blank">
                  {chunks}
                </Link>
              ),
            })}
          </span>
        </label>
        {errorText("acceptPrivacy")}
      </div>

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
