import { randomInt } from "node:crypto";
import { queryDirect, sql, type Database, type DatabaseOrTransaction } from "~/infra/db.server";
import { gatherPerDatabase } from "~/infra/group-commit";
import { pendingLockedInIdOrder } from "./signature-locks.server";

/**
 * Counting confirmed signatures (docs/decisions/003-sharded-signature-counts.md).
 *
 * The statement that confirms signatures adds them to one of `countShards` rows of their
 * appeal, chosen at random. Concurrent statements therefore rarely wait on the same row, the
 * count is exact the moment the transaction commits, and reading it is a sum over at most
 * `countShards` rows.
 */
export const countShards = 16;

export type SignatureCounts = { confirmed: number; listed: number };

type Confirming = { signatureId: string; withdrawalLink: { tokenHash: Uint8Array<ArrayBuffer>; expiresAt: Date } | null };

/**
 * Marks pending signatures confirmed and counts them, in one statement: the row locks on the
 * shards are held for that statement only, and taken in the appeals' order, so two such
 * statements never wait on each other in a circle. Returns, per signature, whether this statement
 * confirmed it. A signature asked for twice is confirmed by its first request; the second gets
 * false, as if another tab had pressed a moment before.
 */
export async function confirmManyAndCount(db: Database, requests: Confirming[]): Promise<boolean[]> {
  const firstOf = new Map<string, Confirming>();
  for (const request of requests) if (!firstOf.has(request.signatureId)) firstOf.set(request.signatureId, request);
  const firsts = [...firstOf.values()];
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  const confirmed = await queryDirect<{ id: string }>(db, sql`
    -- prepared: confirm-and-count
    WITH requested AS (
      SELECT * FROM unnest(${firsts.map((request) => request.signatureId)}::uuid[],
                           ${firsts.map((request) => (request.withdrawalLink ? hex(request.withdrawalLink.tokenHash) : null))}::text[],
                           ${firsts.map((request) => request.withdrawalLink?.expiresAt ?? null)}::timestamptz[])
        AS request(id, "tokenHash", "expiresAt")
    ), confirmed AS (
      UPDATE "Signature" SET status = 'CONFIRMED', "confirmedAt" = now()
      FROM requested
      WHERE "Signature".id = requested.id AND "Signature".status = 'PENDING'
        AND ${pendingLockedInIdOrder(firsts.map((request) => request.signatureId))}
      RETURNING "Signature".id, "Signature"."appealId", "Signature"."showPublicly" AND "Signature"."hiddenAt" IS NULL AS listed,
                requested."tokenHash", requested."expiresAt"
    ), offered AS (
      INSERT INTO "SignatureToken" ("tokenHash", "signatureId", purpose, "expiresAt")
      SELECT decode("tokenHash", 'hex'), id, 'WITHDRAW', "expiresAt" FROM confirmed WHERE "tokenHash" IS NOT NULL
    ), counted AS (
      INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
      SELECT "appealId", ${randomInt(countShards)}, count(*), count(*) FILTER (WHERE listed) FROM confirmed
      GROUP BY "appealId" ORDER BY "appealId"
      ON CONFLICT ("appealId", shard) DO UPDATE
        SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
            listed = "SignatureCountShard".listed + EXCLUDED.listed
    )
    SELECT id::text AS id FROM confirmed`);
  const ids = new Set(confirmed.map((row) => row.id));
  return requests.map((request) => ids.has(request.signatureId) && firstOf.get(request.signatureId) === request);
}

/**
 * Marks a pending signature confirmed and counts it, in one statement. Returns false when the
 * signature was not pending (already confirmed, or withdrawn), in which case nothing is counted.
 * Confirmations arriving together share the statement and its commit (group commit,
 * infra/group-commit.ts): a spike of confirmations is what this path meets.
 *
 * `withdrawalLink`: a withdraw token stored by the same statement, only if it confirms — the
 * page that confirms shows it once (withdrawals.ts), and the confirmation stays one commit.
 */
const confirmTogether = /* @__PURE__ */ gatherPerDatabase(confirmManyAndCount);

export function confirmAndCount(
  db: Database,
  signatureId: string,
  withdrawalLink: { tokenHash: Uint8Array<ArrayBuffer>; expiresAt: Date } | null = null,
): Promise<boolean> {
  return confirmTogether(db, { signatureId, withdrawalLink });
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
