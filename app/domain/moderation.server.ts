import { randomInt } from "node:crypto";
import { z } from "zod";
import { Prisma } from "~/generated/prisma/client";
import type { MessageId } from "~/i18n/i18n";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { recordAudit, type AuditAction } from "./audit";
import { isEmailDomain, isNetwork } from "./block-list.server";
import { countShards } from "./counts";
import { isModerationState, signatureFilterNames, signatureSources, type ModerationState, type SignatureSourceFilter } from "./moderation-states";
import { lockedInIdOrder } from "./signature-locks.server";
import type { SignedInOrganizer } from "./organizers";
import { decodeCursor, encodeCursor } from "./signers";
import { containsPattern } from "./text-search";
import { validate, type FieldErrors } from "./validation";

/**
 * Moderation (docs/decisions/014-moderation.md): organizers look through an appeal's
 * signatures, hide one from the public list (it still counts), invalidate one (it stops
 * counting; it becomes INVALIDATED and remembers whether it was PENDING or CONFIRMED, to be
 * restored to that), and invalidate many at once by email domain, network range or time window,
 * as one action that can be undone as a whole.
 *
 * Every change that moves a signature in or out of the counts adjusts the sharded counters in
 * the same statement, like confirmAndCount (decision 003): a signature counts while CONFIRMED,
 * and is listed while CONFIRMED, chosen to be shown by its signer and not hidden.
 */

export type ModerationChange = "hide" | "show" | "invalidate" | "restore";

/** Of a counted signature (status CONFIRMED): whether it is on the public list. */
const listedNow = Prisma.sql`"showPublicly" AND "hiddenAt" IS NULL`;

/**
 * The UPDATE behind each single change, for one signature of one appeal. Each returns the
 * signature's id and appeal with how much the confirmed and listed counts change. RETURNING
 * sees the row as updated, so an invalidation reads the old status from "invalidatedFrom",
 * which it has just been set to; under concurrent changes Postgres re-reads the newest row
 * before updating, so the change is judged on what the row really was.
 */
function singleChange(change: ModerationChange, appealId: string, signatureId: string): Prisma.Sql {
  const thisOne = Prisma.sql`"appealId" = ${appealId}::uuid AND id = ${signatureId}::uuid`;
  switch (change) {
    case "hide":
      return Prisma.sql`
        UPDATE "Signature" SET "hiddenAt" = now()
        WHERE ${thisOne} AND "hiddenAt" IS NULL AND status IN ('PENDING', 'CONFIRMED', 'INVALIDATED')
        RETURNING id, "appealId", 0 AS "confirmedChange",
          CASE WHEN status = 'CONFIRMED' AND "showPublicly" THEN -1 ELSE 0 END AS "listedChange"`;
    case "show":
      return Prisma.sql`
        UPDATE "Signature" SET "hiddenAt" = NULL
        WHERE ${thisOne} AND "hiddenAt" IS NOT NULL
        RETURNING id, "appealId", 0 AS "confirmedChange",
          CASE WHEN status = 'CONFIRMED' AND "showPublicly" THEN 1 ELSE 0 END AS "listedChange"`;
    case "invalidate":
      return invalidation(thisOne, null);
    case "restore":
      return restoration(Prisma.sql`${thisOne} AND status = 'INVALIDATED'`);
  }
}

/** Sets aside every PENDING or CONFIRMED signature matching `where`, remembering which it was. */
function invalidation(where: Prisma.Sql, actionId: string | null): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Signature" SET status = 'INVALIDATED', "invalidatedFrom" = status, "invalidatedAt" = now(),
      "invalidatedByActionId" = ${actionId}::uuid
    WHERE ${lockedInIdOrder(Prisma.sql`${where} AND status IN ('PENDING', 'CONFIRMED')`)} AND status IN ('PENDING', 'CONFIRMED')
    RETURNING id, "appealId",
      CASE WHEN "invalidatedFrom" = 'CONFIRMED' THEN -1 ELSE 0 END AS "confirmedChange",
      CASE WHEN "invalidatedFrom" = 'CONFIRMED' AND ${listedNow} THEN -1 ELSE 0 END AS "listedChange"`;
}

/** Puts invalidated signatures matching `where` back to what they were. */
function restoration(where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Signature" SET status = COALESCE("invalidatedFrom", 'PENDING'), "invalidatedFrom" = NULL,
      "invalidatedAt" = NULL, "invalidatedByActionId" = NULL
    WHERE ${lockedInIdOrder(where)} AND status = 'INVALIDATED'
    RETURNING id, "appealId",
      CASE WHEN status = 'CONFIRMED' THEN 1 ELSE 0 END AS "confirmedChange",
      CASE WHEN status = 'CONFIRMED' AND ${listedNow} THEN 1 ELSE 0 END AS "listedChange"`;
}

/**
 * Runs an UPDATE made by the functions above and, in the same statement, adds what it changed
 * to one shard of each appeal touched (nothing when the counts do not change). Returns how many
 * signatures changed.
 */
async function changeAndCount(db: DatabaseOrTransaction, update: Prisma.Sql): Promise<number> {
  const shard = randomInt(countShards);
  const [result] = await db.$queryRaw<{ changed: number }[]>`
    WITH changed AS (${update}),
    counted AS (
      INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
      SELECT "appealId", ${shard}, sum("confirmedChange")::int, sum("listedChange")::int
      FROM changed GROUP BY "appealId"
      HAVING sum(abs("confirmedChange")) + sum(abs("listedChange")) > 0
      ON CONFLICT ("appealId", shard) DO UPDATE
        SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
            listed = "SignatureCountShard".listed + EXCLUDED.listed
    )
    SELECT count(*)::int AS changed FROM changed`;
  return result?.changed ?? 0;
}

const auditActionOf: Record<ModerationChange, AuditAction> = {
  hide: "signature.hidden",
  show: "signature.shown",
  invalidate: "signature.invalidated",
  restore: "signature.restored",
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An organizer hides, shows, invalidates or restores one signature of an appeal. Returns false
 * when nothing changed (not this appeal's, or already in that state), and then records nothing.
 */
export async function moderateSignature(db: Database, organizer: SignedInOrganizer, appealId: string, signatureId: string, change: ModerationChange): Promise<boolean> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(signatureId)) return false;
  return db.$transaction(async (tx) => {
    const changed = await changeAndCount(tx, singleChange(change, appealId, signatureId));
    if (changed === 0) return false;
    await recordAudit(tx, { actor: organizer, action: auditActionOf[change], appealId, subject: signatureId, details: { count: 1 } });
    return true;
  });
}

/**
 * Someone presses the confirmation link of a signature invalidated while it was pending. It
 * does not count (a bot that confirms later must not), but the confirmation is remembered: if
 * an organizer restores it, it comes back confirmed. The person sees the usual success page.
 */
export async function confirmWhileInvalidated(db: DatabaseOrTransaction, signatureId: string): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE "Signature" SET "invalidatedFrom" = 'CONFIRMED', "confirmedAt" = now()
    WHERE id = ${signatureId}::uuid AND status = 'INVALIDATED' AND "invalidatedFrom" = 'PENDING'`;
  return changed === 1;
}

// ————— The signatures table —————

export type SignatureFilters = {
  state: ModerationState | null;
  /** Part of a name or an email address. */
  text: string | null;
  /** Days (YYYY-MM-DD, UTC) the signature was made, both included. */
  from: string | null;
  to: string | null;
  emailDomain: string | null;
  /** An address or a CIDR range. */
  network: string | null;
  /** Signed online, or collected on paper and imported. */
  source: SignatureSourceFilter | null;
};

export const noSignatureFilters: SignatureFilters = { state: null, text: null, from: null, to: null, emailDomain: null, network: null, source: null };

const day = /^\d{4}-\d{2}-\d{2}$/;

function isRealDay(value: string): boolean {
  if (!day.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

const optionalFilter = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: "errors.tooLong" satisfies MessageId })
    .transform((value) => (value === "" ? null : value))
    .nullable()
    .default(null);

const domainField = optionalFilter(253)
  .transform((value) => (value === null ? null : value.toLowerCase().replace(/^@/, "").replace(/\.$/, "")))
  .refine((value) => value === null || isEmailDomain(value), { error: "errors.moderationDomainInvalid" satisfies MessageId });

const networkField = optionalFilter(60).refine((value) => value === null || isNetwork(value), { error: "errors.moderationNetworkInvalid" satisfies MessageId });

const dayField = optionalFilter(10).refine((value) => value === null || isRealDay(value), { error: "errors.moderationDayInvalid" satisfies MessageId });

const filtersSchema = z
  .object({
    state: optionalFilter(20).refine((value) => value === null || isModerationState(value), { error: "errors.moderationStateInvalid" satisfies MessageId }),
    q: optionalFilter(200),
    from: dayField,
    to: dayField,
    domain: domainField,
    network: networkField,
    source: optionalFilter(10).refine((value) => value === null || (signatureSources as readonly string[]).includes(value), { error: "errors.moderationSourceInvalid" satisfies MessageId }),
  })
  .refine((filters) => !filters.from || !filters.to || filters.from <= filters.to, { path: ["to"], error: "errors.moderationRangeBackwards" satisfies MessageId });

export type ReadFilters = { filters: SignatureFilters; fieldErrors: FieldErrors; fields: Record<string, string> };

/** The table's filters from the query string (a GET form: works without JavaScript). */
export function readSignatureFilters(params: URLSearchParams): ReadFilters {
  const fields = Object.fromEntries(signatureFilterNames.map((name) => [name, params.get(name) ?? ""]));
  const validated = validate(filtersSchema, fields);
  if (!validated.ok) return { filters: noSignatureFilters, fieldErrors: validated.fieldErrors, fields };
  const { state, q, from, to, domain, network, source } = validated.value;
  return { filters: { state: state as ModerationState | null, text: q, from, to, emailDomain: domain, network, source: source as SignatureSourceFilter | null }, fieldErrors: {}, fields };
}

const stateCondition: Record<ModerationState, Prisma.Sql> = {
  pending: Prisma.sql`status = 'PENDING'`,
  confirmed: Prisma.sql`status = 'CONFIRMED'`,
  hidden: Prisma.sql`"hiddenAt" IS NOT NULL`,
  invalidated: Prisma.sql`status = 'INVALIDATED'`,
  held: Prisma.sql`status = 'HELD'`,
  withdrawn: Prisma.sql`status = 'WITHDRAWN'`,
};

/** "example.org" matches its subdomains too (mail.example.org), as the block list does. */
function domainCondition(domain: string): Prisma.Sql {
  return Prisma.sql`(split_part("emailCanonical", '@', 2) = ${domain} OR split_part("emailCanonical", '@', 2) LIKE ${`%.${domain}`})`;
}

function networkCondition(network: string): Prisma.Sql {
  return Prisma.sql`"networkAddress" <<= ${network}::inet`;
}

function startOfDay(value: string): Date {
  return new Date(`${value}T00:00:00Z`);
}

function filterConditions(appealId: string, filters: SignatureFilters): Prisma.Sql[] {
  const conditions = [Prisma.sql`"appealId" = ${appealId}::uuid`];
  if (filters.state) conditions.push(stateCondition[filters.state]);
  if (filters.text) {
    const pattern = containsPattern(filters.text);
    conditions.push(Prisma.sql`("fullName" ILIKE ${pattern} OR email ILIKE ${pattern})`);
  }
  if (filters.from) conditions.push(Prisma.sql`"createdAt" >= ${startOfDay(filters.from)}`);
  if (filters.to) conditions.push(Prisma.sql`"createdAt" < ${new Date(startOfDay(filters.to).getTime() + 86_400_000)}`);
  if (filters.emailDomain) conditions.push(domainCondition(filters.emailDomain));
  if (filters.network) conditions.push(networkCondition(filters.network));
  // Every paper signature came in an import (paper-signatures.ts): its import's id, which is
  // indexed, finds the few among many online ones without walking the appeal's whole index.
  if (filters.source) conditions.push(filters.source === "paper" ? Prisma.sql`"paperImportId" IS NOT NULL` : Prisma.sql`"paperImportId" IS NULL`);
  return conditions;
}

export type SignatureStatusName = "PENDING" | "CONFIRMED" | "WITHDRAWN" | "HELD" | "INVALIDATED";

/** A row of the table. The only place that shows network addresses and user agents. */
export type ModeratedSignature = {
  id: string;
  fullName: string;
  email: string;
  status: SignatureStatusName;
  heldReason: string | null;
  hidden: boolean;
  showPublicly: boolean;
  createdAt: Date;
  confirmedAt: Date | null;
  networkAddress: string | null;
  userAgent: string | null;
  /** The bulk invalidation that set it aside, if one did. */
  invalidatedByActionId: string | null;
  /** For a signature collected on paper: the name of the imported file it came in. */
  paperFileName: string | null;
};

export type ModerationPage = { signatures: ModeratedSignature[]; nextCursor: string | null };

/** The query behind a page of the table (one row more than the page, to know whether more follow); bench/moderation.ts runs it directly too. */
export function moderationPageQuery(appealId: string, filters: SignatureFilters, options: { cursor?: string | null; limit: number }): Prisma.Sql {
  const conditions = filterConditions(appealId, filters);
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  if (after) conditions.push(Prisma.sql`("createdAt", id) < (${after.confirmedAt}, ${after.id}::uuid)`);
  return Prisma.sql`
    SELECT id::text AS id, "fullName", email, status::text AS status, "heldReason", "hiddenAt" IS NOT NULL AS hidden,
      "showPublicly", "createdAt", "confirmedAt", host("networkAddress") AS "networkAddress", "userAgent",
      "invalidatedByActionId"::text AS "invalidatedByActionId",
      CASE WHEN source = 'PAPER' THEN (SELECT "fileName" FROM "PaperImport" WHERE "PaperImport".id = "Signature"."paperImportId") END AS "paperFileName"
    FROM "Signature"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY "createdAt" DESC, id DESC
    LIMIT ${options.limit + 1}`;
}

/**
 * An appeal's signatures, newest first, keyset-paginated on (createdAt, id) along the
 * (appealId, createdAt DESC, id DESC) index: page 1,000 costs what page 1 costs.
 */
export async function listSignaturesForModeration(
  db: DatabaseOrTransaction,
  appealId: string,
  filters: SignatureFilters,
  options: { cursor?: string | null; limit: number },
): Promise<ModerationPage> {
  if (!uuidPattern.test(appealId)) return { signatures: [], nextCursor: null };
  const rows = await db.$queryRaw<ModeratedSignature[]>(moderationPageQuery(appealId, filters, options));
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return { signatures: page, nextCursor: rows.length > options.limit && last ? encodeCursor({ confirmedAt: last.createdAt, id: last.id }) : null };
}

// ————— Bulk invalidation —————

export type BulkCriteria = {
  emailDomain: string | null;
  network: string | null;
  /** Minutes in UTC ("2026-03-01T14:02"), both included. */
  from: string | null;
  to: string | null;
};

const minute = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function minuteInstant(value: string): Date {
  return new Date(`${value}:00Z`);
}

const minuteField = optionalFilter(16).refine((value) => value === null || (minute.test(value) && !Number.isNaN(minuteInstant(value).getTime()) && minuteInstant(value).toISOString().startsWith(value)), {
  error: "errors.moderationMinuteInvalid" satisfies MessageId,
});

const criteriaSchema = z
  .object({ domain: domainField, network: networkField, from: minuteField, to: minuteField })
  .refine((criteria) => criteria.domain || criteria.network || criteria.from || criteria.to, { path: ["domain"], error: "errors.moderationCriteriaMissing" satisfies MessageId })
  .refine((criteria) => !criteria.from || !criteria.to || criteria.from <= criteria.to, { path: ["to"], error: "errors.moderationRangeBackwards" satisfies MessageId });

export type ReadCriteria = { ok: true; criteria: BulkCriteria } | { ok: false; fieldErrors: FieldErrors };

/** What to invalidate in bulk, from the form (fields domain, network, from, to). */
export function readBulkCriteria(raw: Record<string, string>): ReadCriteria {
  const validated = validate(criteriaSchema, raw);
  if (!validated.ok) return validated;
  const { domain, network, from, to } = validated.value;
  return { ok: true, criteria: { emailDomain: domain, network, from, to } };
}

/** Signatures a bulk invalidation takes: those that count or may count, made no later than `asOf`. */
function bulkConditions(appealId: string, criteria: BulkCriteria, asOf: Date): Prisma.Sql {
  const conditions = [Prisma.sql`"appealId" = ${appealId}::uuid`, Prisma.sql`"createdAt" <= ${asOf}`];
  if (criteria.emailDomain) conditions.push(domainCondition(criteria.emailDomain));
  if (criteria.network) conditions.push(networkCondition(criteria.network));
  if (criteria.from) conditions.push(Prisma.sql`"createdAt" >= ${minuteInstant(criteria.from)}`);
  if (criteria.to) conditions.push(Prisma.sql`"createdAt" < ${new Date(minuteInstant(criteria.to).getTime() + 60_000)}`);
  return Prisma.join(conditions, " AND ");
}

export type BulkPreview = { confirmed: number; pending: number; asOf: Date };

/**
 * How many signatures a bulk invalidation would set aside, before anything changes. `asOf` goes
 * back with the form: applying it takes only signatures made by then, so one arriving after the
 * organizer saw the number is not swept in unseen.
 */
export async function previewBulkInvalidation(db: DatabaseOrTransaction, appealId: string, criteria: BulkCriteria, now = new Date()): Promise<BulkPreview> {
  const [row] = await db.$queryRaw<{ confirmed: number; pending: number }[]>`
    SELECT count(*) FILTER (WHERE status = 'CONFIRMED')::int AS confirmed, count(*) FILTER (WHERE status = 'PENDING')::int AS pending
    FROM "Signature" WHERE ${bulkConditions(appealId, criteria, now)} AND status IN ('PENDING', 'CONFIRMED')`;
  return { confirmed: row?.confirmed ?? 0, pending: row?.pending ?? 0, asOf: now };
}

function criteriaDetails(criteria: BulkCriteria): Record<string, string | null> {
  return { emailDomain: criteria.emailDomain, network: criteria.network, from: criteria.from, to: criteria.to };
}

export type BulkResult = { actionId: string; invalidated: number } | null;

/**
 * Invalidates every matching signature in one statement, recorded as one action that can be
 * undone as a whole. Null when nothing matched (nothing is recorded then).
 */
export async function applyBulkInvalidation(db: Database, organizer: SignedInOrganizer, appealId: string, criteria: BulkCriteria, asOf: Date): Promise<BulkResult> {
  if (!uuidPattern.test(appealId)) return null;
  return db.$transaction(async (tx) => {
    const action = await tx.moderationAction.create({
      data: { appealId, criteria: criteriaDetails(criteria), invalidated: 0, actorName: `${organizer.name} <${organizer.email}>` },
      select: { id: true },
    });
    const invalidated = await changeAndCount(tx, invalidation(bulkConditions(appealId, criteria, asOf), action.id));
    if (invalidated === 0) {
      await tx.moderationAction.delete({ where: { id: action.id } });
      return null;
    }
    await tx.moderationAction.update({ where: { id: action.id }, data: { invalidated } });
    await recordAudit(tx, { actor: organizer, action: "signatures.invalidated", appealId, subject: action.id, details: { count: invalidated, ...criteriaDetails(criteria) } });
    return { actionId: action.id, invalidated };
  });
}

/**
 * Undoes a bulk invalidation: the signatures it set aside that are still invalidated by it come
 * back as they were (one restored by hand meanwhile, or withdrawn by its signer, stays as it is).
 * Returns how many came back, or null when the action is unknown or already undone.
 */
export async function undoBulkInvalidation(db: Database, organizer: SignedInOrganizer, appealId: string, actionId: string): Promise<number | null> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(actionId)) return null;
  return db.$transaction(async (tx) => {
    const marked = await tx.$executeRaw`
      UPDATE "ModerationAction" SET "undoneAt" = now(), "undoneBy" = ${`${organizer.name} <${organizer.email}>`}
      WHERE id = ${actionId}::uuid AND "appealId" = ${appealId}::uuid AND "undoneAt" IS NULL`;
    if (marked === 0) return null;
    const restored = await changeAndCount(tx, restoration(Prisma.sql`"invalidatedByActionId" = ${actionId}::uuid AND status = 'INVALIDATED'`));
    await tx.moderationAction.update({ where: { id: actionId }, data: { restored } });
    await recordAudit(tx, { actor: organizer, action: "signatures.invalidation-undone", appealId, subject: actionId, details: { count: restored } });
    return restored;
  });
}

export type ModerationActionView = {
  id: string;
  criteria: BulkCriteria;
  invalidated: number;
  actorName: string;
  createdAt: Date;
  undoneAt: Date | null;
  undoneBy: string | null;
  restored: number | null;
};

/** The appeal's latest bulk invalidations, newest first, for undoing. */
export async function listBulkInvalidations(db: DatabaseOrTransaction, appealId: string, limit = 10): Promise<ModerationActionView[]> {
  if (!uuidPattern.test(appealId)) return [];
  const rows = await db.moderationAction.findMany({ where: { appealId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
  return rows.map((row) => {
    const criteria = (row.criteria ?? {}) as Partial<BulkCriteria>;
    return {
      id: row.id,
      criteria: { emailDomain: criteria.emailDomain ?? null, network: criteria.network ?? null, from: criteria.from ?? null, to: criteria.to ?? null },
      invalidated: row.invalidated,
      actorName: row.actorName,
      createdAt: row.createdAt,
      undoneAt: row.undoneAt,
      undoneBy: row.undoneBy,
      restored: row.restored,
    };
  });
}
