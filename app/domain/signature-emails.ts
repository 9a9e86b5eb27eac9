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

type PreparedRow = {
  id: string;
  email: string;
  fullName: string;
  locale: string;
  slug: string;
  defaultLocale: string;
  publisherName: string;
  translations: { locale: string; title: string }[];
};

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
  // A confirmation only while pending, "already signed" only while confirmed: a withdrawn
  // signature gets nothing, and one whose address was erased (emptied, app/domain/erasure) has
  // no one to write to.
  const wanted = job.kind === "confirm-signature" ? "PENDING" : "CONFIRMED";
  // The links' tokens: every email carries a withdraw link, a confirmation also its confirm link.
  const withdrawal = newWithdrawalToken(job.signatureId);
  const confirmation = job.kind === "confirm-signature" ? createToken() : null;
  const tokens = [
    withdrawal.row,
    ...(confirmation ? [{ tokenHash: confirmation.tokenHash, purpose: "CONFIRM" as const, expiresAt: new Date(Date.now() + confirmationLinkLifetimeMs) }] : []),
  ];
  // One statement reads the signature and stores its tokens' hashes, only if it still wants
  // this email. Written as SQL because it runs once per email at the worker's full rate: Prisma
  // plans a createMany afresh every time (it never caches that plan), which cost the worker
  // an eighth of its CPU, and the read and the insert were two round trips (decision 032).
  const rows = await db.$queryRaw<PreparedRow[]>`
    WITH wanted AS (
      SELECT s.id, s.email, s."fullName", s.locale, a.slug, a."defaultLocale", a."publisherName",
             (SELECT coalesce(json_agg(json_build_object('locale', tr.locale, 'title', tr.title) ORDER BY tr.locale), '[]')
                FROM "AppealTranslation" tr WHERE tr."appealId" = a.id) AS translations
      FROM "Signature" s JOIN "Appeal" a ON a.id = s."appealId"
      WHERE s.id = ${job.signatureId}::uuid AND s.status::text = ${wanted} AND s.email <> ''
    ), stored AS (
      INSERT INTO "SignatureToken" ("tokenHash", "signatureId", purpose, "expiresAt")
      SELECT decode(token.hash, 'hex'), wanted.id, token.purpose::"SignatureTokenPurpose", token."expiresAt"
      FROM wanted, unnest(${tokens.map((token) => Buffer.from(token.tokenHash).toString("hex"))}::text[],
                          ${tokens.map((token) => token.purpose)}::text[],
                          ${tokens.map((token) => token.expiresAt.toISOString())}::timestamptz[]) AS token(hash, purpose, "expiresAt")
    )
    SELECT id, email, "fullName", locale, slug, "defaultLocale", "publisherName", translations FROM wanted`;
  const signature = rows[0];
  if (!signature) return null;
  const translation = pickTranslation(signature.translations, signature.locale, signature.defaultLocale);
  const common: Common = {
    to: signature.email,
    locale: signature.locale,
    fullName: signature.fullName,
    appealTitle: translation?.title ?? signature.slug,
    publisherName: signature.publisherName,
    withdrawUrl: inSignersLanguage(`${publicUrl}/withdraw/${withdrawal.token}`, signature.locale),
  };

  if (confirmation) {
    return { ...common, kind: "confirm-signature", confirmUrl: inSignersLanguage(`${publicUrl}/confirm/${confirmation.token}`, signature.locale) };
  }

  return { ...common, kind: "already-signed", appealUrl: inSignersLanguage(`${publicUrl}/appeals/${encodeURIComponent(signature.slug)}`, signature.locale) };
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
