import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import { withoutControlCharacters } from "./control-characters";

/**
 * Form validation shared by the organizer area's forms: zod schemas whose messages are message
 * ids (the page shows them in the reader's language), turned into one error per field.
 */
export type FieldError = { id: MessageId; values?: Record<string, string | number> };
export type FieldErrors<Field extends string = string> = Partial<Record<Field, FieldError>>;

export type Validated<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

export function validate<Schema extends z.ZodType>(schema: Schema, raw: unknown): Validated<z.infer<Schema>> {
  const parsed = schema.safeParse(withoutControlCharacters(raw));
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".");
    if (fieldErrors[field]) continue; // the first problem with a field is the one to fix first
    const values: Record<string, number> | undefined =
      issue.code === "too_big" ? { max: Number(issue.maximum) } : issue.code === "too_small" ? { min: Number(issue.minimum) } : undefined;
    fieldErrors[field] = { id: issue.message as MessageId, ...(values ? { values } : {}) };
  }
  return { ok: false, fieldErrors };
}

/** A required line of text. */
export const requiredText = (max: number, required: MessageId, tooLong: MessageId = "errors.tooLong") =>
  z
    .string({ error: required })
    .trim()
    .min(1, { error: required })
    .max(max, { error: tooLong });

/** Optional text: empty becomes null. */
export const optionalText = (max: number, tooLong: MessageId = "errors.tooLong") =>
  z
    .string()
    .trim()
    .max(max, { error: tooLong })
    .transform((value) => (value === "" ? null : value))
    .nullable()
    .default(null);

/** An optional web address: only http(s), so no `javascript:` link reaches a visitor. */
export const optionalWebAddress = z
  .string()
  .trim()
  .max(2000, { error: "errors.urlInvalid" satisfies MessageId })
  .transform((value) => (value === "" ? null : /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`))
  .refine((value) => value === null || isWebAddress(value), { error: "errors.urlInvalid" satisfies MessageId })
  .nullable()
  .default(null);

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.includes(".");
  } catch {
    return false;
  }
}

export const optionalEmail = z
  .string()
  .trim()
  .max(254, { error: "errors.emailInvalid" satisfies MessageId })
  .transform((value) => (value === "" ? null : value))
  .pipe(z.email({ error: "errors.emailInvalid" satisfies MessageId }).nullable())
  .nullable()
  .default(null);

export const checkbox = z.preprocess((value) => value === "on" || value === "true" || value === true, z.boolean());
