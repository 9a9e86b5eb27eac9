import { randomInt } from "node:crypto";
import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * Counting confirmed signatures (docs/decisions/003-sharded-signature-counts.md).
 *
 * Each confirmation adds one to one of `countShards` rows of its appeal, chosen at random,
 * in the same statement that confirms it. Concurrent confirmations therefore rarely wait
 * on the same row, the count is exact the moment the transaction commits, and reading it is
 * a sum over at most `countShards` rows.
 */
export const countShards = 16;

export type SignatureCounts = { confirmed: number; listed: number };

/**
 * Marks a pending signature confirmed and counts it, in one statement: the row lock on the
 * shard is held for that statement only. Returns false when the signature was not pending
 * (already confirmed, or withdrawn), in which case nothing is counted.
 *
 * `withdrawalLink`: a withdraw token stored by the same statement, only if it confirms — the
 * page that confirms shows it once (withdrawals.ts), and the confirmation stays one commit.
 */
export async function confirmAndCount(
  db: DatabaseOrTransaction,
  signatureId: string,
  withdrawalLink: { tokenHash: Uint8Array<ArrayBuffer>; expiresAt: Date } | null = null,
): Promise<boolean> {
  const shard = randomInt(countShards);
  const counted = await db.$executeRaw`
    WITH confirmed AS (
      UPDATE "Signature" SET status = 'CONFIRMED', "confirmedAt" = now()
      WHERE id = ${signatureId}::uuid AND status = 'PENDING'
      RETURNING id, "appealId", "showPublicly" AND "hiddenAt" IS NULL AS listed
    ), offered AS (
      INSERT INTO "SignatureToken" ("tokenHash", "signatureId", purpose, "expiresAt")
      SELECT ${withdrawalLink?.tokenHash ?? null}::bytea, id, 'WITHDRAW', ${withdrawalLink?.expiresAt ?? null}::timestamptz
      FROM confirmed WHERE ${withdrawalLink?.tokenHash ?? null}::bytea IS NOT NULL
    )
    INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
    SELECT "appealId", ${shard}, 1, CASE WHEN listed THEN 1 ELSE 0 END FROM confirmed
    ON CONFLICT ("appealId", shard) DO UPDATE
      SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
          listed = "SignatureCountShard".listed + EXCLUDED.listed`;
  return counted === 1;
}

export async function getSignatureCounts(db: DatabaseOrTransaction, appealId: string): Promise<SignatureCounts> {
  const totals = await db.signatureCountShard.aggregate({
    where: { appealId },
    _sum: { confirmed: true, listed: true },
  });
  return { confirmed: totals._sum.confirmed ?? 0, listed: totals._sum.listed ?? 0 };
}

/** Counts for many appeals at once (the list of appeals). */
export async function getSignatureCountsFor(
  db: DatabaseOrTransaction,
  appealIds: string[],
): Promise<Map<string, SignatureCounts>> {
  const rows = await db.signatureCountShard.groupBy({
    by: ["appealId"],
    where: { appealId: { in: appealIds } },
    _sum: { confirmed: true, listed: true },
  });
  return new Map(
    rows.map((row) => [row.appealId, { confirmed: row._sum.confirmed ?? 0, listed: row._sum.listed ?? 0 }]),
  );
}

/**
 * The counts recomputed from the signatures themselves: the shards must always agree. A
 * signature counts while CONFIRMED, and is listed while its signer chose so and no organizer
 * hid it (moderation.server.ts).
 */
export async function recountSignatures(db: DatabaseOrTransaction, appealId: string): Promise<SignatureCounts> {
  const [confirmed, listed] = await Promise.all([
    db.signature.count({ where: { appealId, status: "CONFIRMED" } }),
    db.signature.count({ where: { appealId, status: "CONFIRMED", showPublicly: true, hiddenAt: null } }),
  ]);
  return { confirmed, listed };
}
