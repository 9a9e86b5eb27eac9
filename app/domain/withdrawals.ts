import { randomInt } from "node:crypto";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { pickTranslation } from "./appeals";
import { countShards } from "./counts";
import { eraseContactAndTraces } from "./erasure.server";
import { createToken, hashToken, looksLikeToken } from "./tokens";

/**
 * Withdrawing a signature (docs/decisions/011-withdrawal-and-retention.md). Every email about a
 * signature, and the page that confirms it, carries a link with a token of its own. Opening the
 * link changes nothing (mail scanners fetch links); pressing its button withdraws: the signature
 * stops counting, leaves the public list, and everything that identifies the signer is erased
 * at once. The row stays, without identity, so that counts and the audit add up.
 */

/**
 * How long a withdraw link works: as long as anything about the signer may be kept. An appeal
 * may collect signatures for years and then keep its signers' data for up to 60 months after
 * closing, and a listed name stays on the public list after that; ten years covers an appeal
 * open for five years plus the longest retention. After that, the privacy contact can help.
 */
export const withdrawalLinkLifetimeMs = 10 * 365 * 24 * 3_600_000;

/** A new withdraw link's token for a signature, and the row that stores its hash (for the caller to write with others). */
export function newWithdrawalToken(signatureId: string) {
  const { token, tokenHash } = createToken();
  return { token, row: { tokenHash, signatureId, purpose: "WITHDRAW" as const, expiresAt: new Date(Date.now() + withdrawalLinkLifetimeMs) } };
}

/** A new withdraw link's token for a signature; only its hash is stored. */
export async function createWithdrawalToken(db: DatabaseOrTransaction, signatureId: string): Promise<string> {
  const { token, row } = newWithdrawalToken(signatureId);
  await db.signatureToken.create({ data: row });
  return token;
}

export type WithdrawalView = {
  signatureId: string;
  /** As signed; empty once erased (withdrawn, or an unlisted name after the retention period). */
  fullName: string;
  withdrawn: boolean;
  appeal: { id: string; slug: string; title: string };
};

/** What the withdraw page shows before the button is pressed. Changes nothing. */
export async function findWithdrawal(db: DatabaseOrTransaction, token: string, locale: string): Promise<WithdrawalView | null> {
  if (!looksLikeToken(token)) return null;
  const found = await db.signatureToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      purpose: true,
      expiresAt: true,
      signature: {
        select: {
          id: true,
          fullName: true,
          status: true,
          appeal: { select: { id: true, slug: true, defaultLocale: true, translations: { select: { locale: true, title: true } } } },
        },
      },
    },
  });
  if (!found || found.purpose !== "WITHDRAW" || found.expiresAt.getTime() < Date.now()) return null;
  const { signature } = found;
  const { appeal } = signature;
  return {
    signatureId: signature.id,
    fullName: signature.fullName,
    withdrawn: signature.status === "WITHDRAWN",
    appeal: { id: appeal.id, slug: appeal.slug, title: pickTranslation(appeal.translations, locale, appeal.defaultLocale)?.title ?? appeal.slug },
  };
}

/**
 * The person pressed "Withdraw my signature". Pressing again, or in two tabs at once, shows the
 * same result and changes nothing more: only the statement that moves the signature to
 * WITHDRAWN subtracts it from the counts.
 */
export async function withdrawSignature(db: Database, token: string, locale: string): Promise<WithdrawalView | null> {
  const view = await findWithdrawal(db, token, locale);
  if (!view) return null;
  if (!view.withdrawn) await withdrawAndErase(db, view.signatureId, hashToken(token));
  return { ...view, fullName: "", withdrawn: true };
}

/**
 * In one statement, like confirmAndCount (decision 003): the signature becomes WITHDRAWN, its
 * identity is erased, and — only if it was counted — one is subtracted from a shard, from
 * `listed` too if it was listed. A shard may go below zero; only the sum over an appeal's
 * shards means anything. The row keeps what the audit needs and nothing that names anyone:
 * id, appeal, status, createdAt, confirmedAt, withdrawnAt, and the versions of the texts
 * consented to. Then the signature's tokens go, all but the one just used, which now leads
 * only to "withdrawn", so that pressing again shows the same page. Queued emails about the
 * signature find it withdrawn, without an address, and send nothing.
 */
async function withdrawAndErase(db: Database, signatureId: string, usedTokenHash: Uint8Array<ArrayBuffer>): Promise<void> {
  const shard = randomInt(countShards);
  await db.$transaction(async (tx) => {
    const withdrawn = await tx.$queryRaw<{ previousStatus: string }[]>`
      WITH previous AS (
        SELECT id, status, "showPublicly" AND "hiddenAt" IS NULL AS "wasListed" FROM "Signature"
        WHERE id = ${signatureId}::uuid AND status <> 'WITHDRAWN'
        FOR UPDATE
      ), withdrawn AS (
        UPDATE "Signature" SET
          status = 'WITHDRAWN',
          "withdrawnAt" = now(),
          "fullName" = '',
          role = NULL,
          country = NULL,
          "showPublicly" = false,
          "wantsUpdates" = false,
          "heldReason" = NULL,
          locale = DEFAULT,
          ${eraseContactAndTraces}
        FROM previous WHERE "Signature".id = previous.id
        RETURNING "Signature"."appealId", previous.status AS "previousStatus", previous."wasListed"
      ), uncounted AS (
        INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
        SELECT "appealId", ${shard}, -1, CASE WHEN "wasListed" THEN -1 ELSE 0 END
        FROM withdrawn WHERE "previousStatus" = 'CONFIRMED'
        ON CONFLICT ("appealId", shard) DO UPDATE
          SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
              listed = "SignatureCountShard".listed + EXCLUDED.listed
      )
      SELECT "previousStatus"::text AS "previousStatus" FROM withdrawn`;
    // Someone pressed a moment earlier: they erased it and removed the tokens already.
    if (withdrawn.length === 0) return;
    await tx.signatureToken.deleteMany({ where: { signatureId, NOT: { tokenHash: usedTokenHash } } });
  });
}
