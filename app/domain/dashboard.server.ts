import { Prisma } from "~/generated/prisma/client";
import type { DatabaseOrTransaction } from "~/infra/db.server";
import { getSignatureCounts } from "./counts";

/**
 * What an organizer watches while an appeal collects signatures (docs/decisions/015-appeal-dashboard.md).
 *
 * Only confirmed signatures are counted, by the moment they were confirmed: a signature that
 * was withdrawn later leaves every bar it was in. Buckets are hours and days in UTC, so the
 * same chart means the same thing to organizers in different places (and the page says so);
 * a bucket without signatures is there, with 0, so gaps in a campaign show as gaps.
 */

export type Bucket = { start: Date; signatures: number };

export type CountryCount = { country: string | null; signatures: number };

export type LatestSigner = { id: string; fullName: string; role: string | null; country: string | null; confirmedAt: Date };

export type AppealDashboard = {
  confirmed: number;
  pending: number;
  /**
   * confirmed ÷ (confirmed + pending): of the signatures still standing whose confirmation email
   * went out, the share whose signer clicked the link. Withdrawn and held signatures are left
   * out (withdrawn: the signer left; held: no email was sent yet). Null when there is none.
   */
  confirmationRate: number | null;
  /** The last 48 hours, oldest first; the last bucket is the hour now running. */
  perHour: Bucket[];
  /** Every day from the appeal's first day to today (or to its last confirmation once closed). */
  perDay: Bucket[];
  topCountries: CountryCount[];
  latestSigners: LatestSigner[];
};

export const dashboardLimits = { hours: 48, topCountries: 10, latestSigners: 10 } as const;

export async function getAppealDashboard(db: DatabaseOrTransaction, appealId: string, now = new Date()): Promise<AppealDashboard | null> {
  if (!/^[0-9a-f-]{36}$/i.test(appealId)) return null;
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { createdAt: true, publishedAt: true, closedAt: true } });
  if (!appeal) return null;
  const life = appealLife(appeal);
  const [counts, pending, perHour, perDay, topCountries, latestSigners] = await Promise.all([
    getSignatureCounts(db, appealId),
    db.signature.count({ where: { appealId, status: "PENDING" } }),
    db.$queryRaw<Bucket[]>(dashboardQueries.perHour(appealId, now)),
    db.$queryRaw<Bucket[]>(dashboardQueries.perDay(appealId, life, now)),
    db.$queryRaw<CountryCount[]>(dashboardQueries.topCountries(appealId)),
    db.$queryRaw<LatestSigner[]>(dashboardQueries.latestSigners(appealId)),
  ]);
  const standing = counts.confirmed + pending;
  return {
    confirmed: counts.confirmed,
    pending,
    confirmationRate: standing > 0 ? counts.confirmed / standing : null,
    perHour,
    perDay,
    topCountries,
    latestSigners,
  };
}

/** From publication (creation, for a draft) to closing: the span the per-day figures cover. */
export function appealLife(appeal: { createdAt: Date; publishedAt: Date | null; closedAt: Date | null }): AppealLife {
  return { startedAt: appeal.publishedAt ?? appeal.createdAt, closedAt: appeal.closedAt };
}

/**
 * The dashboard's queries over signatures, as SQL (bench/dashboard.ts runs EXPLAIN ANALYZE on
 * them). Each reads only the appeal's confirmed signatures, through the index on
 * ("appealId", status, "confirmedAt", country).
 */
export const dashboardQueries = {
  /** Confirmed signatures in each UTC hour of the last 48, the running hour last, zeros included. */
  perHour: (appealId: string, now: Date) =>
    confirmationsPerBucket(
      appealId,
      "hour",
      Prisma.sql`
        SELECT date_trunc('hour', ${now}::timestamptz AT TIME ZONE 'UTC') - ${dashboardLimits.hours - 1} * interval '1 hour' AS first_bucket,
               date_trunc('hour', ${now}::timestamptz AT TIME ZONE 'UTC') AS last_bucket`,
    ),

  /**
   * Confirmed signatures on each UTC day of the appeal's life, zeros included. Its life runs from
   * the day it was published (created, for a draft) — or an earlier first confirmation, for
   * signatures brought in with their own dates — to today; once closed, to the later of the
   * closing day and the last confirmation, so an appeal closed long ago does not end in a long
   * run of empty days.
   */
  perDay: (appealId: string, life: AppealLife, now: Date, options: { runningTotal?: boolean } = {}) =>
    confirmationsPerBucket(
      appealId,
      "day",
      Prisma.sql`
        WITH span AS (
          -- Two index lookups, not a scan: the first and last confirmation.
          SELECT (SELECT min("confirmedAt") FROM "Signature" WHERE "appealId" = ${appealId}::uuid AND status = 'CONFIRMED') AS first_confirmed,
                 (SELECT max("confirmedAt") FROM "Signature" WHERE "appealId" = ${appealId}::uuid AND status = 'CONFIRMED') AS last_confirmed
        )
        SELECT date_trunc('day', least(${life.startedAt}::timestamptz, span.first_confirmed) AT TIME ZONE 'UTC') AS first_bucket,
               date_trunc('day', CASE WHEN ${life.closedAt}::timestamptz IS NULL THEN ${now}::timestamptz
                 ELSE least(${now}::timestamptz, greatest(${life.closedAt}::timestamptz, span.last_confirmed)) END AT TIME ZONE 'UTC') AS last_bucket
        FROM span`,
      options,
    ),

  /** Confirmed signatures in each UTC hour or day from `first` to `last` (both included): the public count series. */
  perBucketBetween: (appealId: string, unit: BucketUnit, first: Date, last: Date, options: { runningTotal?: boolean } = {}) =>
    confirmationsPerBucket(
      appealId,
      unit,
      Prisma.sql`
        SELECT date_trunc(${unit}, ${first}::timestamptz AT TIME ZONE 'UTC') AS first_bucket,
               date_trunc(${unit}, ${last}::timestamptz AT TIME ZONE 'UTC') AS last_bucket`,
      options,
    ),

  /** The countries confirmed signers gave, most first; null is "not given". */
  topCountries: (appealId: string, limit: number = dashboardLimits.topCountries) => Prisma.sql`
    SELECT country, count(*)::int AS signatures FROM "Signature"
    WHERE "appealId" = ${appealId}::uuid AND status = 'CONFIRMED'
    GROUP BY country
    ORDER BY signatures DESC, country NULLS LAST
    LIMIT ${limit}`,

  /** The newest confirmed signers, listed publicly or not (organizers see both); never their email. */
  latestSigners: (appealId: string) => Prisma.sql`
    SELECT id, "fullName", role, country, "confirmedAt" FROM "Signature"
    WHERE "appealId" = ${appealId}::uuid AND status = 'CONFIRMED'
    ORDER BY "confirmedAt" DESC, id DESC
    LIMIT ${dashboardLimits.latestSigners}`,
};

export type BucketUnit = "hour" | "day";

export type AppealLife = { startedAt: Date; closedAt: Date | null };

/** A bucket with the count standing at its end: what the public count series shows. */
export type BucketWithTotal = Bucket & { total: number };

/**
 * Confirmed signatures per UTC hour or day, every bucket from the bounds' `first_bucket` to
 * `last_bucket` (a query yielding one row of two UTC timestamps without time zone), zeros
 * included. Only the signatures inside the bounds are read, through the index on
 * ("appealId", status, "confirmedAt", country).
 *
 * With `runningTotal`, each bucket also carries the count standing at its end. The count before
 * the first bucket is the appeal's count from its counters (decision 003) less the confirmations
 * from the first bucket on — in the same statement, so both see one snapshot — which reads the
 * index from the first bucket to now, not the appeal's whole history.
 */
function confirmationsPerBucket(appealId: string, unit: BucketUnit, bounds: Prisma.Sql, options: { runningTotal?: boolean } = {}) {
  const step = Prisma.sql`${`1 ${unit}`}::interval`;
  const runningTotal = options.runningTotal
    ? Prisma.sql`, (before.confirmed + sum(coalesce(counted.signatures, 0)) OVER (ORDER BY buckets.bucket))::int AS total`
    : Prisma.empty;
  const before = options.runningTotal
    ? Prisma.sql`,
    before AS (
      SELECT (SELECT coalesce(sum(confirmed), 0) FROM "SignatureCountShard" WHERE "appealId" = ${appealId}::uuid)
           - (SELECT count(*) FROM "Signature" s, bounds
              WHERE s."appealId" = ${appealId}::uuid AND s.status = 'CONFIRMED' AND s."confirmedAt" >= bounds.first_bucket AT TIME ZONE 'UTC') AS confirmed
    )`
    : Prisma.empty;
  return Prisma.sql`
    WITH bounds AS (${bounds}),
    counted AS (
      SELECT date_trunc(${unit}, s."confirmedAt" AT TIME ZONE 'UTC') AS bucket, count(*)::int AS signatures
      FROM "Signature" s, bounds
      WHERE s."appealId" = ${appealId}::uuid AND s.status = 'CONFIRMED'
        AND s."confirmedAt" >= bounds.first_bucket AT TIME ZONE 'UTC'
        AND s."confirmedAt" < (greatest(bounds.first_bucket, bounds.last_bucket) + ${step}) AT TIME ZONE 'UTC'
      GROUP BY 1
    )${before}
    SELECT buckets.bucket AT TIME ZONE 'UTC' AS start, coalesce(counted.signatures, 0)::int AS signatures${runningTotal}
    FROM bounds
      CROSS JOIN generate_series(bounds.first_bucket, greatest(bounds.first_bucket, bounds.last_bucket), ${step}) AS buckets(bucket)
      LEFT JOIN counted ON counted.bucket = buckets.bucket
      ${options.runningTotal ? Prisma.sql`CROSS JOIN before` : Prisma.empty}
    ORDER BY buckets.bucket`;
}
