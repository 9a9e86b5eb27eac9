import { pickTranslation } from "./appeals";
import type { Database } from "~/infra/db.server";
import type { SignatureEmailJob } from "~/infra/queue/outbox.server";
import { confirmationLinkLifetimeMs } from "./signatures";
import { createToken } from "./tokens";

type Common = { to: string; locale: string; fullName: string; appealTitle: string; publisherName: string };

export type SignatureEmail =
  | (Common & { kind: "confirm-signature"; confirmUrl: string })
  | (Common & { kind: "already-signed"; appealUrl: string });

/**
 * What to email for a queued job, or null when it no longer applies (the signature was
 * confirmed or withdrawn before the worker got to it). A confirmation email gets a fresh
 * token made here, at sending time, so the token itself is never stored anywhere: the
 * queue holds only the signature id. Earlier links stay valid until they expire.
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
  if (!signature) return null;
  const { appeal } = signature;
  const translation = pickTranslation(appeal.translations, signature.locale, appeal.defaultLocale);
  const common: Common = {
    to: signature.email,
    locale: signature.locale,
    fullName: signature.fullName,
    appealTitle: translation?.title ?? appeal.slug,
    publisherName: appeal.publisherName,
  };

  if (job.kind === "confirm-signature") {
    if (signature.status !== "PENDING") return null;
    const { token, tokenHash } = createToken();
    await db.signatureToken.create({
      data: {
        tokenHash,
        signatureId: signature.id,
        purpose: "CONFIRM",
        expiresAt: new Date(Date.now() + confirmationLinkLifetimeMs),
      },
    });
    return { ...common, kind: "confirm-signature", confirmUrl: `${publicUrl}/confirm/${token}` };
  }

  if (signature.status !== "CONFIRMED") return null;
  return { ...common, kind: "already-signed", appealUrl: `${publicUrl}/appeals/${encodeURIComponent(appeal.slug)}` };
}
