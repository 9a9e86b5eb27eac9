import { Prisma } from "~/generated/prisma/client";

/**
 * A condition for an UPDATE (or, with `forDeleting`, a DELETE) of many signatures that first
 * locks the rows matching `where` in the order of their ids. Every statement that changes many
 * signatures at once takes its row locks in this one order (decision 030), so two of them can
 * wait on each other but never in a circle: without it, a confirming batch and a bulk
 * invalidation over the same signatures in opposite orders deadlocked, and PostgreSQL aborted
 * one of them after a second.
 */
export function lockedInIdOrder(where: Prisma.Sql, options: { forDeleting?: boolean } = {}): Prisma.Sql {
  // `= ANY(ARRAY(…))`, not `IN (…)`: the array is worked out once, before the UPDATE reads a row
  // (locking them in order), and the UPDATE then finds its rows by primary key. With `IN`, a
  // planner that thought few rows matched joined the two by rescanning the locked ids for each
  // row: undoing a 10,000-signature bulk invalidation in a 1,000,000-row table took 17 s.
  // The lock an UPDATE of these columns takes anyway (NO KEY UPDATE), so rows inserted elsewhere
  // that refer to a signature (their foreign-key check takes KEY SHARE) do not wait on it; a
  // DELETE takes the full lock.
  const mode = options.forDeleting ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR NO KEY UPDATE`;
  return Prisma.sql`"Signature".id = ANY(ARRAY(SELECT id FROM "Signature" WHERE ${where} ORDER BY id ${mode}))`;
}

/** The same for the pending signatures among `ids`: those a batch of confirmations may confirm (counts.ts). */
export function pendingLockedInIdOrder(ids: string[]): Prisma.Sql {
  return lockedInIdOrder(Prisma.sql`id = ANY(${ids}::uuid[]) AND status = 'PENDING'`);
}

/**
 * Prisma's SQL template for the conditions above, for domain modules the browser bundle also
 * imports (retention.ts, paper-signatures.ts): they cannot import Prisma's client themselves,
 * while a `.server` module is left out of that bundle.
 */
export function signatureCondition(strings: TemplateStringsArray, ...values: unknown[]): Prisma.Sql {
  return Prisma.sql(strings, ...values);
}
