import { Prisma } from "~/generated/prisma/client";

/**
 * A condition for an UPDATE of many signatures that first locks the rows matching `where` in the
 * order of their ids. Every statement that changes many signatures at once (a batch of
 * confirmations, a bulk invalidation and its undoing) takes its row locks in this one order, so
 * two of them can wait on each other but never in a circle: without it, a confirming batch and a
 * bulk invalidation over the same signatures in opposite orders deadlocked, and PostgreSQL
 * aborted one of them after a second.
 */
export function lockedInIdOrder(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`"Signature".id IN (SELECT id FROM "Signature" WHERE ${where} ORDER BY id FOR UPDATE)`;
}

/** The same for the pending signatures among `ids`: those a batch of confirmations may confirm (counts.ts). */
export function pendingLockedInIdOrder(ids: string[]): Prisma.Sql {
  return lockedInIdOrder(Prisma.sql`id = ANY(${ids}::uuid[]) AND status = 'PENDING'`);
}
