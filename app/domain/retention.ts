import type { Database } from "~/infra/db.server";
import { recordAudit } from "./audit";
import { eraseContactAndTraces } from "./erasure.server";
import { lockedInIdOrder, signatureCondition } from "./signature-locks.server";

/**
 * How long signers' personal data is kept (docs/decisions/011-withdrawal-and-retention.md).
 *
 * - Network addresses and browser identifications, of every signature: NETWORK_ADDRESS_RETENTION_DAYS
 *   after the signature was made; they serve abuse prevention and moderation, which are quick.
 * - Everything else: until the appeal's `retentionMonths` after it closed. Then email addresses,
 *   city and comment are erased; a name and role stay only where the signer chose to be listed
 *   (they remain the appeal's public record). Counts and statuses stay.
 *
 * A scheduled job (app/jobs/erase-personal-data.ts) does both every hour. Rows are updated in
 * batches, each its own statement, so that a huge appeal never holds one giant transaction.
 */

/** What an appeal keeps when its organizers choose nothing else (the schema's default). */
export const defaultRetentionMonths = 6;
export const retentionMonthsLimits = { min: 1, max: 60 } as const;

/** Rows per statement: short row locks, and each statement's work stays small. */
export const erasureBatchSize = 5_000;

type RetentionFacts = { closedAt: Date | null; retentionMonths: number; personalDataErasedAt: Date | null };

export type PersonalDataErasure =
  /** Still open: erased `months` after it closes. */
  | { state: "afterClosing"; months: number }
  | { state: "scheduled"; dueAt: Date; months: number }
  | { state: "erased"; erasedAt: Date };

/**
 * Where an appeal stands. An appeal reopened and closed again after an erasure gets a new
 * erasure for the signatures it collected meanwhile.
 */
export function personalDataErasure(appeal: RetentionFacts): PersonalDataErasure {
  const { closedAt, retentionMonths, personalDataErasedAt } = appeal;
  if (closedAt && personalDataErasedAt && personalDataErasedAt >= closedAt) return { state: "erased", erasedAt: personalDataErasedAt };
  if (!closedAt) return { state: "afterClosing", months: retentionMonths };
  return { state: "scheduled", dueAt: addCalendarMonths(closedAt, retentionMonths), months: retentionMonths };
}

/**
 * The same time of day `months` calendar months later, in UTC; a day the target month lacks
 * becomes its last day (31 August + 6 months = 28 or 29 February), as Postgres adds intervals.
 */
export function addCalendarMonths(from: Date, months: number): Date {
  const result = new Date(from);
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const daysInTargetMonth = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, daysInTargetMonth));
  return result;
}

export type ErasedAppeal = { appealId: string; slug: string; signatures: number };

/**
 * Erases the personal data of the signers of every appeal whose retention period has run out,
 * and records each erasure in the audit log. Safe to run again at any point: an interrupted run
 * is finished by the next one, and rows already erased stay as they are.
 */
export async function erasePersonalDataOfClosedAppeals(db: Database, options: { now?: Date; batchSize?: number } = {}): Promise<ErasedAppeal[]> {
  const now = options.now ?? new Date();
  const closed = await db.appeal.findMany({
    where: { closedAt: { not: null } },
    select: { id: true, slug: true, closedAt: true, retentionMonths: true, personalDataErasedAt: true },
  });
  const due = closed.filter((appeal) => {
    const erasure = personalDataErasure(appeal);
    return erasure.state === "scheduled" && erasure.dueAt <= now;
  });
  const erased: ErasedAppeal[] = [];
  for (const appeal of due) {
    const signatures = await eraseSignersOf(db, appeal.id, options.batchSize ?? erasureBatchSize);
    await db.$transaction(async (tx) => {
      await tx.appeal.update({ where: { id: appeal.id }, data: { personalDataErasedAt: now } });
      await recordAudit(tx, {
        actor: { system: "scheduled job" },
        action: "appeal.personal-data-erased",
        appealId: appeal.id,
        subject: appeal.slug,
        details: { signatures, retentionMonths: appeal.retentionMonths },
      });
    });
    erased.push({ appealId: appeal.id, slug: appeal.slug, signatures });
  }
  return erased;
}

/** Withdrawn signatures were erased when they were withdrawn. */
const statusesToErase = ["PENDING", "CONFIRMED", "HELD", "INVALIDATED"] as const;

/**
 * One appeal's signatures, batch by batch in the order of the (appealId, status, createdAt)
 * index, each batch one statement. Returns how many signatures were gone through.
 */
async function eraseSignersOf(db: Database, appealId: string, batchSize: number): Promise<number> {
  let total = 0;
  for (const status of statusesToErase) {
    let after = { createdAt: new Date(0), id: "00000000-0000-0000-0000-000000000000" };
    for (;;) {
      const [batch] = await db.$queryRaw<{ size: number; lastCreatedAt: Date | null; lastId: string | null }[]>`
        WITH batch AS (
          SELECT id, "createdAt" FROM "Signature"
          WHERE "appealId" = ${appealId}::uuid AND status = ${status}::"SignatureStatus"
            AND ("createdAt", id) > (${after.createdAt}, ${after.id}::uuid)
          ORDER BY "createdAt", id
          LIMIT ${batchSize}
        ), erased AS (
          UPDATE "Signature" SET
            ${eraseContactAndTraces},
            -- A listed name and role are the appeal's public record; nobody else's stays.
            "fullName" = CASE WHEN "Signature".status = 'CONFIRMED' AND "Signature"."showPublicly" THEN "Signature"."fullName" ELSE '' END,
            role = CASE WHEN "Signature".status = 'CONFIRMED' AND "Signature"."showPublicly" THEN "Signature".role END
          FROM batch WHERE "Signature".id = batch.id
        )
        SELECT count(*)::int AS size, max("createdAt") AS "lastCreatedAt",
               (array_agg(id::text ORDER BY "createdAt" DESC, id DESC))[1] AS "lastId"
        FROM batch`;
      total += batch?.size ?? 0;
      if (!batch?.lastCreatedAt || !batch.lastId) break;
      after = { createdAt: batch.lastCreatedAt, id: batch.lastId };
      if (batch.size < batchSize) break;
    }
  }
  return total;
}

/**
 * Erases the network address and browser identification of every signature made more than
 * `retentionDays` ago, whatever its appeal. Counted from when the signature was first made, so
 * an address recorded by a later submission of the same signature may go sooner, never later.
 */
export async function eraseOldNetworkAddresses(db: Database, retentionDays: number, options: { now?: Date; batchSize?: number } = {}): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - retentionDays * 86_400_000);
  const batchSize = options.batchSize ?? erasureBatchSize;
  let total = 0;
  for (;;) {
    const erased = await db.$executeRaw`
      UPDATE "Signature" SET "networkAddress" = NULL, "userAgent" = NULL
      WHERE ${lockedInIdOrder(signatureCondition`id = ANY(ARRAY(
        SELECT id FROM "Signature"
        WHERE "createdAt" < ${cutoff} AND ("networkAddress" IS NOT NULL OR "userAgent" IS NOT NULL)
        LIMIT ${batchSize}))`)}`;
    total += erased;
    if (erased < batchSize) return total;
  }
}
