import { randomInt } from "node:crypto";
import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * Counting confirmed signatures (docs/decisions/003-sharded-signature-counts.md).
 *
 * Each confirmation adds one to one of `countShards` rows of its appeal, chosen at random,
 * in the same transaction that confirms it. Concurrent confirmations therefore rarely wait
 * on the same row, the count is exact the moment the transaction commits, and reading it is
 * a sum over at most `countShards` rows.
 */
export const countShards = 16;

export type SignatureCounts = { confirmed: number; listed: number };

export async function recordConfirmedSignature(
  db: DatabaseOrTransaction,
  appealId: string,
  options: { listed: boolean },
): Promise<void> {
  await adjustCounts(db, appealId, { confirmed: 1, listed: options.listed ? 1 : 0 });
}

export async function adjustCounts(
  db: DatabaseOrTransaction,
  appealId: string,
  delta: SignatureCounts,
): Promise<void> {
  const shard = randomInt(countShards);
  await db.$executeRaw`
    INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
    VALUES (${appealId}::uuid, ${shard}, ${delta.confirmed}, ${delta.listed})
    ON CONFLICT ("appealId", shard) DO UPDATE
      SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
          listed = "SignatureCountShard".listed + EXCLUDED.listed`;
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

/** The counts recomputed from the signatures themselves: the shards must always agree. */
export async function recountSignatures(db: DatabaseOrTransaction, appealId: string): Promise<SignatureCounts> {
  const [confirmed, listed] = await Promise.all([
    db.signature.count({ where: { appealId, status: "CONFIRMED" } }),
    db.signature.count({ where: { appealId, status: "CONFIRMED", showPublicly: true } }),
  ]);
  return { confirmed, listed };
}
