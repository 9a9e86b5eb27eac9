import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { recordAudit, type AuditActor } from "./audit";

/**
 * An appeal's life: draft (only organizers see it) → published (collects signatures) →
 * closed (a notice instead of the form; signatures made before closing may still be confirmed
 * for a day) → archived (kept for reading). A closed appeal can be reopened. A deadline closes
 * it by itself (the scheduled job close_appeals_at_deadline), and until that job has run, a
 * passed deadline already stops new signatures (see acceptsSignatures).
 */
export type AppealStatus = "DRAFT" | "PUBLISHED" | "CLOSED" | "ARCHIVED";
export type LifecycleAction = "publish" | "close" | "reopen" | "archive";

const transitions: Record<LifecycleAction, { from: AppealStatus; to: AppealStatus; audit: "appeal.published" | "appeal.closed" | "appeal.reopened" | "appeal.archived" }> = {
  publish: { from: "DRAFT", to: "PUBLISHED", audit: "appeal.published" },
  close: { from: "PUBLISHED", to: "CLOSED", audit: "appeal.closed" },
  reopen: { from: "CLOSED", to: "PUBLISHED", audit: "appeal.reopened" },
  archive: { from: "CLOSED", to: "ARCHIVED", audit: "appeal.archived" },
};

export function actionsAvailable(status: AppealStatus): LifecycleAction[] {
  return (Object.keys(transitions) as LifecycleAction[]).filter((action) => transitions[action].from === status);
}

/** How long after closing a signature made before it may still be confirmed. */
export const confirmationGraceAfterClosingMs = 24 * 3_600_000;

export function acceptsSignatures(appeal: { status: string; closesAt: Date | null }, now: Date): boolean {
  return appeal.status === "PUBLISHED" && (appeal.closesAt === null || appeal.closesAt > now);
}

/**
 * When the appeal stopped taking signatures, as recorded: when it was closed, or its deadline if
 * that passed first; null when neither says (still open, or closed before the day was kept).
 */
export function recordedClosingTime(appeal: { closedAt: Date | null; closesAt: Date | null }, now: Date): Date | null {
  if (appeal.closedAt) return appeal.closedAt;
  return appeal.closesAt && appeal.closesAt <= now ? appeal.closesAt : null;
}

/** When the appeal stopped taking signatures; one closed without a recorded day counts as closed now. */
export function effectiveClosingTime(appeal: { status: string; closedAt: Date | null; closesAt: Date | null }, now: Date): Date | null {
  return recordedClosingTime(appeal, now) ?? (appeal.status === "CLOSED" || appeal.status === "ARCHIVED" ? now : null);
}

/** Whether a signature made before closing may still be confirmed now. */
export function acceptsConfirmations(appeal: { status: string; closedAt: Date | null; closesAt: Date | null }, now: Date): boolean {
  if (appeal.status === "DRAFT") return false;
  const closedAt = effectiveClosingTime(appeal, now);
  return closedAt === null || now.getTime() < closedAt.getTime() + confirmationGraceAfterClosingMs;
}

export type LifecycleProblem = "notFound" | "wrongState" | "incomplete" | "deadlinePassed";

/**
 * Moves an appeal one step, if its current state allows that step, and records who did it.
 * Publishing needs a title and text in the original language; reopening needs a deadline that
 * has not passed (or none).
 */
export async function changeAppealStatus(db: Database, actor: AuditActor, appealId: string, action: LifecycleAction): Promise<{ ok: true } | { ok: false; problem: LifecycleProblem }> {
  const transition = transitions[action];
  return db.$transaction(async (tx) => {
    const [appeal] = await tx.$queryRaw<{ id: string; slug: string; status: AppealStatus; closesAt: Date | null; publishedAt: Date | null; defaultLocale: string }[]>`
      SELECT id, slug, status::text AS status, "closesAt", "publishedAt", "defaultLocale" FROM "Appeal" WHERE id = ${appealId}::uuid FOR UPDATE`;
    if (!appeal) return { ok: false as const, problem: "notFound" as const };
    if (appeal.status !== transition.from) return { ok: false as const, problem: "wrongState" as const };
    const now = new Date();
    if (action === "publish") {
      const original = await tx.appealTranslation.findUnique({ where: { appealId_locale: { appealId, locale: appeal.defaultLocale } }, select: { title: true, body: true } });
      if (!original?.title.trim() || !original.body.trim()) return { ok: false as const, problem: "incomplete" as const };
    }
    if (action === "reopen" && appeal.closesAt && appeal.closesAt <= now) return { ok: false as const, problem: "deadlinePassed" as const };
    await tx.appeal.update({
      where: { id: appealId },
      data: {
        status: transition.to,
        ...(action === "publish" ? { publishedAt: appeal.publishedAt ?? now } : {}),
        ...(action === "close" ? { closedAt: now } : {}),
        ...(action === "reopen" ? { closedAt: null } : {}),
        ...(action === "archive" ? { archivedAt: now } : {}),
      },
    });
    await recordAudit(tx, { actor, action: transition.audit, appealId, subject: appeal.slug });
    return { ok: true as const };
  });
}

/**
 * The scheduled job's work: every published appeal whose deadline has passed is closed, as of
 * its deadline, in one statement (so a slow run never closes one twice), and each closing is
 * audited. Returns the slugs closed.
 */
export async function closeAppealsAtDeadline(db: Database, now = new Date()): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const closed = await tx.$queryRaw<{ id: string; slug: string }[]>`
      UPDATE "Appeal" SET status = 'CLOSED', "closedAt" = "closesAt", "updatedAt" = now()
      WHERE status = 'PUBLISHED' AND "closesAt" IS NOT NULL AND "closesAt" <= ${now}
      RETURNING id, slug`;
    for (const appeal of closed) {
      await recordAudit(tx, { actor: { system: "scheduled job" }, action: "appeal.closed", appealId: appeal.id, subject: appeal.slug, details: { reason: "deadline" } });
    }
    return closed.map((appeal) => appeal.slug);
  });
}

export async function countAppealsByStatus(db: DatabaseOrTransaction): Promise<Record<AppealStatus, number>> {
  const rows = await db.appeal.groupBy({ by: ["status"], _count: true });
  const counts: Record<AppealStatus, number> = { DRAFT: 0, PUBLISHED: 0, CLOSED: 0, ARCHIVED: 0 };
  for (const row of rows) counts[row.status] = row._count;
  return counts;
}
