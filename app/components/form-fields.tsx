import { useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import type { FieldErrors } from "~/domain/validation";
import { useT } from "~/i18n/react";

/**
 * Form fields of the organizer area, GOV.UK style: label, hint, then the error, each linked to
 * the input by aria-describedby; and an error summary that lists each problem as a link to its
 * field and takes the focus when it appears.
 */
type Common = {
  name: string;
  /** Defaults to the name; give one when a page shows the same form several times (one per item). */
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
};

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function Label({ id, label, optional }: { id: string } & Pick<Common, "label" | "optional">) {
  const { t } = useT();
  return (
    <label htmlFor={id}>
      {label} {optional ? <span className="optional">({t("form.optional")})</span> : null}
    </label>
  );
}

function HintAndError({ id, hint, error }: { id: string } & Pick<Common, "hint" | "error">) {
  return (
    <>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({ name, id = name, label, hint, error, optional, ...input }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id">) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <Label id={id} label={label} optional={optional} />
      <HintAndError id={id} hint={hint} error={error} />
      <input id={id} name={name} type="text" aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
    </div>
  );
}

export function TextArea({ name, id = name, label, hint, error, optional, ...textarea }: Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id">) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <Label id={id} label={label} optional={optional} />
      <HintAndError id={id} hint={hint} error={error} />
      <textarea id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...textarea} />
    </div>
  );
}

export function SelectField({
  name,
  id = name,
  label,
  hint,
  error,
  optional,
  options,
  ...select
}: Common & { options: { value: string; label: string }[] } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "id">) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <Label id={id} label={label} optional={optional} />
      <HintAndError id={id} hint={hint} error={error} />
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckboxField({ name, id = name, label, hint, error, ...input }: Omit<Common, "optional"> & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id">) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label className="check" htmlFor={id}>
        <input id={id} name={name} type="checkbox" aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
        <span>{label}</span>
      </label>
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

/** The translated message for each field with an error. */
export function useFieldErrorMessages(fieldErrors: FieldErrors | undefined): (field: string) => string | null {
  const { t } = useT();
  return (field) => {
    const error = fieldErrors?.[field];
    return error ? t(error.id, error.values) : null;
  };
}

/** "There is a problem" for the fields of an organizer form, in the order they are on the page. */
export function ErrorSummary({ fieldErrors, order }: { fieldErrors: FieldErrors | undefined; order: string[] }) {
  const message = useFieldErrorMessages(fieldErrors);
  const fields = Object.keys(fieldErrors ?? {}).sort((a, b) => rank(order, a) - rank(order, b));
  return <ProblemSummary problems={fields.map((field) => ({ field, message: message(field) ?? "" }))} answer={fieldErrors} />;
}

/**
 * "There is a problem" with one link per problem, each to its field (the GOV.UK pattern). It
 * takes the focus when it appears, so a screen reader announces it and Tab leads to the links;
 * a link moves the focus to its field.
 */
export function ProblemSummary({ problems, answer }: { problems: { field: string; message: string }[]; /** The server's answer: a new one takes the focus again, even with the same problems. */ answer: unknown }) {
  const { t } = useT();
  const ref = useRef<HTMLDivElement>(null);
  const signature = problems.map((problem) => `${problem.field}:${problem.message}`).join(",");
  useEffect(() => {
    if (signature) ref.current?.focus();
  }, [signature, answer]);
  if (problems.length === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={ref}>
      <h2 id="error-summary-title">{t("form.errorSummaryTitle")}</h2>
      <ul>
        {problems.map(({ field, message }) => (
          <li key={field}>
            <a
              href={`#${field}`}
              onClick={(event) => {
                const target = document.getElementById(field);
                if (!target) return;
                event.preventDefault();
                target.focus();
                target.scrollIntoView({ block: "center" });
              }}
            >
              {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function rank(order: string[], field: string): number {
  const index = order.indexOf(field);
  return index < 0 ? order.length : index;
}

/**
 * Whether a plain form post (`<Form reloadDocument>`, decision 036) is on its way: Remix's
 * navigation state knows only the posts its script sends. Set by the form's submit event unless
 * something stopped it (the proof-of-work widget holds the first one back while it solves);
 * cleared when the browser shows the page again from its back/forward cache, and after a few
 * seconds in any case, since a person who pressed Stop or Esc stays on the page with nothing on
 * its way (a second press of Sign is harmless: one address is one signature).
 */
export function useDocumentPostPending(): { pending: boolean; onSubmit: (event: FormEvent<HTMLFormElement>) => void } {
  const [pending, setPending] = useState(false);
  useEffect(() => {
    const shownAgain = (event: PageTransitionEvent) => {
      if (event.persisted) setPending(false);
    };
    window.addEventListener("pageshow", shownAgain);
    return () => window.removeEventListener("pageshow", shownAgain);
  }, []);
  useEffect(() => {
    if (!pending) return;
    const giveUp = setTimeout(() => setPending(false), documentPostPendingMs);
    return () => clearTimeout(giveUp);
  }, [pending]);
  return { pending, onSubmit: (event) => setPending(!event.defaultPrevented) };
}

/** Longer than a busy site takes to answer a form, short enough that a stopped page is usable again. */
const documentPostPendingMs = 8_000;
