import { pickTranslation } from "./appeals";
import type { Database } from "~/infra/db.server";
import type { SignatureEmailJob } from "~/infra/queue/outbox.server";
import { confirmationLinkLifetimeMs } from "./signatures";
import { createToken } from "./tokens";
import { newWithdrawalToken } from "./withdrawals";

/** Every email about a signature carries a link to withdraw it, with a token of its own. */
type Common = { to: string; locale: string; fullName: string; appealTitle: string; publisherName: string; withdrawUrl: string };

export type SignatureEmail =
  | (Common & { kind: "confirm-signature"; confirmUrl: string })
  | (Common & { kind: "already-signed"; appealUrl: string });

/**
 * What to email for a queued job, or null when it no longer applies (the signature was
 * confirmed or withdrawn before the worker got to it). Its tokens — to confirm, and to withdraw —
 * are made here, at sending time, so a token itself is never stored anywhere: the queue holds
 * only the signature id. Earlier links stay valid until they expire.
 */
export async function prepareSignatureEmail(
  db: Database,
  job: SignatureEmailJob,
  publicUrl: string,
): Promise<SignatureEmail | null> {
  const signature = await db.signature.findUnique({
    where: { id: job.signatureId },
    select: {
      id: true,
      email: true,
      fullName: true,
      locale: true,
      status: true,
      appeal: { select: { slug: true, defaultLocale: true, publisherName: true, translations: true } },
    },
  });
  // A confirmation only while pending, "already signed" only while confirmed: a withdrawn
  // signature gets nothing, and one whose address was erased has no one to write to.
  const wanted = job.kind === "confirm-signature" ? "PENDING" : "CONFIRMED";
  if (!signature || signature.status !== wanted || !signature.email) return null;
  const { appeal } = signature;
  const translation = pickTranslation(appeal.translations, signature.locale, appeal.defaultLocale);
  // The links' tokens, stored by one statement: every email carries a withdraw link, a
  // confirmation also its confirm link.
  const withdrawal = newWithdrawalToken(signature.id);
  const confirmation = job.kind === "confirm-signature" ? createToken() : null;
  await db.signatureToken.createMany({
    data: [
      withdrawal.row,
      ...(confirmation
        ? [{ tokenHash: confirmation.tokenHash, signatureId: signature.id, purpose: "CONFIRM" as const, expiresAt: new Date(Date.now() + confirmationLinkLifetimeMs) }]
        : []),
    ],
  });
  const common: Common = {
    to: signature.email,
    locale: signature.locale,
    fullName: signature.fullName,
    appealTitle: translation?.title ?? appeal.slug,
    publisherName: appeal.publisherName,
    withdrawUrl: inSignersLanguage(`${publicUrl}/withdraw/${withdrawal.token}`, signature.locale),
  };

  if (confirmation) {
    return { ...common, kind: "confirm-signature", confirmUrl: inSignersLanguage(`${publicUrl}/confirm/${confirmation.token}`, signature.locale) };
  }

  return { ...common, kind: "already-signed", appealUrl: inSignersLanguage(`${publicUrl}/appeals/${encodeURIComponent(appeal.slug)}`, signature.locale) };
}

/**
 * A link in an email opens its page in the language the signer used, even on another device
 * whose browser asks for another.
 */
function inSignersLanguage(url: string, locale: string): string {
  return `${url}?lang=${encodeURIComponent(locale)}`;
}

/**
 * The signer's mail server refused the address for good (no such mailbox, domain without mail):
 * recorded on the signature, so organizers can see it, and not retried — retrying for a day and
 * a half would only annoy the server. What the server said is cut to a line.
 */
export async function recordEmailRejection(db: Database, signatureId: string, serverAnswer: string): Promise<void> {
  await db.signature.update({
    where: { id: signatureId },
    data: { emailRejectedAt: new Date(), emailRejection: serverAnswer.replace(/\s+/g, " ").trim().slice(0, 500) },
  });
}
