import type { MessageId } from "~/i18n/i18n";

/**
 * What the sign form and the server agree on, and nothing else: the fields, their length
 * limits, the hidden fields of the checks. The browser bundle imports only this module, never
 * the rules in signatures.ts (zod, the database, the limits).
 */
export const signatureFields = ["fullName", "email", "role", "country", "city", "comment", "showPublicly", "wantsUpdates", "acceptPrivacy"] as const;
export type SignatureField = (typeof signatureFields)[number];

export const signatureLimits = { fullName: 200, email: 254, role: 200, city: 120, comment: 500 } as const;

/** The honeypot people never see, and the signed time the form was handed out. */
export const signFormHiddenFields = { honeypot: "website", issuedAt: "formIssuedAt" } as const;

/** What was typed, as text, for echoing back into the form. */
export type SignatureFormFields = Partial<Record<SignatureField, string>>;

export type SignatureFieldErrors = Partial<Record<SignatureField, { id: MessageId; max?: number }>>;
