import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import { acceptsConfirmations, effectiveClosingTime } from "./appeal-lifecycle";
import { pickTranslation } from "./appeals";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { enqueueSignatureEmail, type SignatureEmailKind } from "~/infra/queue/outbox.server";
import { isCountryCode } from "./countries";
import { confirmAndCount } from "./counts";
import { hashToken, looksLikeToken } from "./tokens";
import { canonicalEmail } from "./email-addresses";
import { containsWebAddress, hasVisibleLetter } from "./names";
import { checkbox, optionalText, withoutControlCharacters } from "./validation";

export const signatureLimits = { fullName: 200, email: 254, role: 200, city: 120, comment: 500 } as const;

/** No signature gets more emails than this, so the form cannot be used to flood an inbox. */
export const maxEmailsPerSignature = 5;


/**
 * What a supporter types into the sign form. Error messages are message ids so that the
 * form shows them in the reader's language.
 */
export const signatureInputSchema = z.object({
  fullName: z
    .string({ error: "errors.fullNameRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.fullNameRequired" satisfies MessageId })
    .max(signatureLimits.fullName, { error: "errors.fullNameTooLong" satisfies MessageId })
    .refine(hasVisibleLetter, { error: "errors.fullNameNoLetters" satisfies MessageId })
    .refine((name) => !containsWebAddress(name), { error: "errors.fullNameHasWebAddress" satisfies MessageId }),
  email: z
    .string({ error: "errors.emailRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.emailRequired" satisfies MessageId })
    .max(signatureLimits.email, { error: "errors.emailInvalid" satisfies MessageId })
    .pipe(z.email({ error: "errors.emailInvalid" satisfies MessageId })),
  role: optionalText(signatureLimits.role, "errors.roleTooLong"),
  country: z
    .string()
    .trim()
    .transform((value) => (value === "" ? null : value.toUpperCase()))
    .refine((value) => value === null || isCountryCode(value), { error: "errors.countryInvalid" satisfies MessageId })
    .nullable()
    .default(null),
  city: optionalText(signatureLimits.city, "errors.cityTooLong"),
  comment: optionalText(signatureLimits.comment, "errors.commentTooLong"),
  showPublicly: checkbox,
  wantsUpdates: checkbox,
  acceptPrivacy: checkbox.refine((accepted) => accepted, { error: "errors.privacyRequired" satisfies MessageId }),
});

export type SignatureInput = z.infer<typeof signatureInputSchema>;
export type SignatureField = keyof SignatureInput;
export const signatureFields = Object.keys(signatureInputSchema.shape) as SignatureField[];
export type SignatureFieldErrors = Partial<Record<SignatureField, { id: MessageId; max?: number }>>;

export type ValidatedSignature =
  | { ok: true; input: SignatureInput }
  | { ok: false; fieldErrors: SignatureFieldErrors };

export function validateSignature(raw: Record<string, unknown>): ValidatedSignature {
  const parsed = signatureInputSchema.safeParse(withoutControlCharacters(raw));
  if (parsed.success) return { ok: true, input: parsed.data };
  const fieldErrors: SignatureFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as SignatureField;
    if (fieldErrors[field]) continue; // the first problem with a field is the one to fix first
    const max = issue.code === "too_big" ? Number(issue.maximum) : undefined;
    fieldErrors[field] = { id: issue.message as MessageId, ...(max === undefined ? {} : { max }) };
  }
  return { ok: false, fieldErrors };
}

export type SignOutcome = {
  /** Only for tests and logs: the page a person sees is the same whatever happened. */
  signatureId: string;
  emailQueued: SignatureEmailKind | null;
};

/**
 * Someone submits the sign form. Whatever the state of their address — new, waiting for
 * confirmation, already confirmed — they see the same page, and the email tells them the
 * rest; so the form never reveals whether an address has signed.
 *
 * The signature row and the job that emails it are written in one transaction.
 */
export async function signAppeal(
  db: Database,
  appealId: string,
  input: SignatureInput,
  options: { locale: string },
): Promise<SignOutcome> {
  const emailCanonical = canonicalEmail(input.email);
  const details = {
    fullName: input.fullName,
    email: input.email,
    role: input.role,
    country: input.country,
    city: input.city,
    comment: input.comment,
    showPublicly: input.showPublicly,
    wantsUpdates: input.wantsUpdates,
    locale: options.locale,
  };

  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING: a concurrent second submission must not abort the transaction.
    const [created] = await tx.signature.createManyAndReturn({
      data: [{ appealId, emailCanonical, ...details, emailsSent: 1 }],
      skipDuplicates: true,
      select: { id: true },
    });
    if (created) {
      await enqueueSignatureEmail(tx, { signatureId: created.id, kind: "confirm-signature" });
      return { signatureId: created.id, emailQueued: "confirm-signature" };
    }

    const existing = await tx.$queryRaw<{ id: string; status: "PENDING" | "CONFIRMED" | "WITHDRAWN"; emailsSent: number }[]>`
      SELECT id, status::text AS status, "emailsSent" FROM "Signature"
      WHERE "appealId" = ${appealId}::uuid AND "emailCanonical" = ${emailCanonical}
      FOR UPDATE`;
    const signature = existing[0];
    if (!signature) throw new Error("signature vanished between insert and select");

    if (signature.status === "WITHDRAWN") {
      // Signing again after withdrawing starts afresh.
      await tx.signatureToken.deleteMany({ where: { signatureId: signature.id } });
      await tx.signature.update({
        where: { id: signature.id },
        data: { ...details, status: "PENDING", emailsSent: 1, confirmedAt: null, withdrawnAt: null, createdAt: new Date() },
      });
      await enqueueSignatureEmail(tx, { signatureId: signature.id, kind: "confirm-signature" });
      return { signatureId: signature.id, emailQueued: "confirm-signature" };
    }

    if (signature.emailsSent >= maxEmailsPerSignature) {
      return { signatureId: signature.id, emailQueued: null };
    }

    if (signature.status === "PENDING") {
      // The latest submission is what the person will confirm: the confirmation page shows it.
      await tx.signature.update({ where: { id: signature.id }, data: { ...details, emailsSent: { increment: 1 } } });
      await enqueueSignatureEmail(tx, { signatureId: signature.id, kind: "confirm-signature" });
      return { signatureId: signature.id, emailQueued: "confirm-signature" };
    }

    await tx.signature.update({ where: { id: signature.id }, data: { emailsSent: { increment: 1 } } });
    await enqueueSignatureEmail(tx, { signatureId: signature.id, kind: "already-signed" });
    return { signatureId: signature.id, emailQueued: "already-signed" };
  });
}

/** How long a confirmation link works. Long enough for a holiday; signing again sends a new one. */
export const confirmationLinkLifetimeMs = 30 * 24 * 60 * 60 * 1000;

export type ConfirmationView = {
  signatureId: string;
  fullName: string;
  showPublicly: boolean;
  confirmed: boolean;
  /** The appeal closed more than a day ago: a signature not yet confirmed can no longer be. */
  tooLateToConfirm: boolean;
  appeal: { id: string; slug: string; title: string; closedAt: Date | null };
};

/** What the confirmation page shows before the button is pressed. Changes nothing. */
export async function findConfirmation(
  db: DatabaseOrTransaction,
  token: string,
  locale: string,
): Promise<ConfirmationView | null> {
  if (!looksLikeToken(token)) return null;
  // One round trip: this page is what a spike of confirmations hits.
  const [found] = await db.$queryRaw<
    {
      purpose: string;
      expiresAt: Date;
      signatureId: string;
      fullName: string;
      showPublicly: boolean;
      status: "PENDING" | "CONFIRMED" | "WITHDRAWN";
      appealId: string;
      slug: string;
      defaultLocale: string;
      appealStatus: string;
      closedAt: Date | null;
      closesAt: Date | null;
      translations: { locale: string; title: string }[];
    }[]
  >`
    SELECT t.purpose::text AS purpose, t."expiresAt", s.id AS "signatureId", s."fullName", s."showPublicly",
           s.status::text AS status, a.id AS "appealId", a.slug, a."defaultLocale",
           a.status::text AS "appealStatus", a."closedAt", a."closesAt",
           (SELECT json_agg(json_build_object('locale', tr.locale, 'title', tr.title))
              FROM "AppealTranslation" tr WHERE tr."appealId" = a.id) AS translations
    FROM "SignatureToken" t
    JOIN "Signature" s ON s.id = t."signatureId"
    JOIN "Appeal" a ON a.id = s."appealId"
    WHERE t."tokenHash" = ${hashToken(token)}`;
  if (!found || found.purpose !== "CONFIRM") return null;
  if (found.status === "WITHDRAWN") return null;
  // A used link keeps working so that pressing the button twice shows the same success page.
  if (found.status === "PENDING" && found.expiresAt.getTime() < Date.now()) return null;
  const translation = pickTranslation(found.translations ?? [], locale, found.defaultLocale);
  const now = new Date();
  return {
    signatureId: found.signatureId,
    fullName: found.fullName,
    showPublicly: found.showPublicly,
    confirmed: found.status === "CONFIRMED",
    tooLateToConfirm: !acceptsConfirmations({ status: found.appealStatus, closedAt: found.closedAt, closesAt: found.closesAt }, now),
    appeal: { id: found.appealId, slug: found.slug, title: translation?.title ?? found.slug, closedAt: effectiveClosingTime({ status: found.appealStatus, closedAt: found.closedAt, closesAt: found.closesAt }, now) },
  };
}

/**
 * The person pressed "Confirm my signature". From now on the signature counts and, if they
 * chose so, is listed. Pressing again changes nothing and reports the same success.
 */
export async function confirmSignature(db: Database, token: string, locale: string): Promise<ConfirmationView | null> {
  const view = await findConfirmation(db, token, locale);
  if (!view) return null;
  if (view.confirmed || view.tooLateToConfirm) return view;
  // Only the statement that moves PENDING to CONFIRMED counts it, so a double press or two
  // tabs count once.
  if (await confirmAndCount(db, view.signatureId)) return { ...view, confirmed: true };
  // Someone else confirmed it a moment ago (fine), or it was withdrawn meanwhile (not fine).
  const current = await db.signature.findUnique({ where: { id: view.signatureId }, select: { status: true } });
  return current?.status === "CONFIRMED" ? { ...view, confirmed: true } : null;
}
