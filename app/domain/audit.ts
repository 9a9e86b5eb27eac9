import type { Prisma } from "~/generated/prisma/client";
import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * The audit log: every export, lifecycle change, change of organizers and throttled sign-in,
 * who did it and when. Append-only — the database refuses to change or delete an entry (a
 * trigger, see the migration) — and readable by owners.
 */
export const auditActions = [
  "appeal.created",
  "appeal.published",
  "appeal.closed",
  "appeal.reopened",
  "appeal.archived",
  "appeal.personal-data-erased",
  "export.csv",
  "export.json",
  "organizer.created",
  "organizer.invited",
  "organizer.removed",
  "organizer.password-set",
  "organizer.password-reset",
  "sign-in.throttled",
  "block-list.added",
  "block-list.removed",
  "signatures.released",
  "signatures.discarded",
  "signature.hidden",
  "signature.shown",
  "signature.invalidated",
  "signature.restored",
  "signatures.invalidated",
  "signatures.invalidation-undone",
  "update.test-sent",
  "update.sent",
  "update.draft-deleted",
  "update.resumed",
  "paper-signatures.imported",
  "paper-signatures.import-undone",
] as const;

export type AuditAction = (typeof auditActions)[number];

/** The system's own names for itself, stored as the actor's name; pages show them in the reader's language. */
export const systemActors = ["command line", "scheduled job", "anonymous visitor"] as const;

/** Who did it: an organizer, or the system acting on its own. */
export type AuditActor = { id: string; name: string; email: string } | { system: (typeof systemActors)[number] };

export type AuditEntry = {
  actor: AuditActor;
  action: AuditAction;
  appealId?: string | null;
  /** For people: the appeal's slug, the organizer's email… */
  subject?: string | null;
  details?: Record<string, string | number | boolean | null>;
};

export function actorName(actor: AuditActor): string {
  return "system" in actor ? actor.system : `${actor.name} <${actor.email}>`;
}

/** Writes one entry; inside the caller's transaction when given one, so the entry and the change commit together. */
export async function recordAudit(db: DatabaseOrTransaction, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: "system" in entry.actor ? null : entry.actor.id,
      actorName: actorName(entry.actor),
      action: entry.action,
      appealId: entry.appealId ?? null,
      subject: entry.subject ?? null,
      details: (entry.details ?? {}) as Prisma.InputJsonObject,
    },
  });
}

/**
 * What an entry acted on, as a reader can tell it apart. A signature is stored by its id, so that
 * the log keeps no signer's name after the signature is withdrawn or erased: its name is looked up
 * as the log is read, and is gone with it. A bulk action's id means nothing to a reader (the
 * details say what it matched), so it is not shown.
 */
export type AuditSubject = { kind: "text"; text: string } | { kind: "signature"; fullName: string | null } | null;

export type AuditEventView = {
  id: string;
  at: Date;
  actorName: string;
  action: string;
  subject: AuditSubject;
  details: Record<string, unknown>;
};

const actionsOnOneSignature = new Set<string>(["signature.hidden", "signature.shown", "signature.invalidated", "signature.restored"]);
const actionsOnABulkAction = new Set<string>(["signatures.invalidated", "signatures.invalidation-undone"]);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function describeSubjects(db: DatabaseOrTransaction, rows: { action: string; subject: string | null }[]): Promise<AuditSubject[]> {
  const signatureIds = [...new Set(rows.filter((row) => actionsOnOneSignature.has(row.action) && uuidPattern.test(row.subject ?? "")).map((row) => row.subject!))];
  const signatures = signatureIds.length > 0 ? await db.signature.findMany({ where: { id: { in: signatureIds } }, select: { id: true, fullName: true } }) : [];
  // A withdrawn signature keeps its row for the count, with the name blanked.
  const names = new Map(signatures.filter((signature) => signature.fullName !== "").map((signature) => [signature.id, signature.fullName]));
  return rows.map(({ action, subject }) => {
    if (subject === null || actionsOnABulkAction.has(action)) return null;
    if (actionsOnOneSignature.has(action)) return { kind: "signature", fullName: names.get(subject) ?? null };
    return { kind: "text", text: subject };
  });
}

export type AuditPage = { events: AuditEventView[]; nextCursor: string | null };

/** Newest first, keyset-paginated on (at, id): the cursor is the last entry's id. */
export async function listAuditEvents(db: DatabaseOrTransaction, options: { limit: number; before?: string | null }): Promise<AuditPage> {
  let where: Prisma.AuditEventWhereInput = {};
  if (options.before && /^\d{1,19}$/.test(options.before)) {
    const cursor = await db.auditEvent.findUnique({ where: { id: BigInt(options.before) }, select: { at: true, id: true } });
    if (cursor) where = { OR: [{ at: { lt: cursor.at } }, { at: cursor.at, id: { lt: cursor.id } }] };
  }
  const rows = await db.auditEvent.findMany({
    where,
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  const subjects = await describeSubjects(db, page);
  return {
    events: page.map((row, index) => ({
      id: row.id.toString(),
      at: row.at,
      actorName: row.actorName,
      action: row.action,
      subject: subjects[index]!,
      details: (row.details ?? {}) as Record<string, unknown>,
    })),
    nextCursor: rows.length > options.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}
