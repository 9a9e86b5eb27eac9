import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { enqueueSignerUpdate, enqueueSignerUpdateTest, requeueSignerUpdate, signerUpdateJobs } from "~/infra/queue/outbox.server";
import { pickTranslation } from "./appeals";
import { recordAudit, type AuditActor } from "./audit";
import type { SignedInOrganizer } from "./organizers";
import { createToken, hashToken, looksLikeToken } from "./tokens";
import { withoutControlCharacters } from "./control-characters";
import { withdrawalLinkLifetimeMs } from "./withdrawals";

/**
 * Updates to signers (docs/decisions/016-updates-to-signers.md). An organizer writes an update
 * (a subject and a Markdown body, in any of the appeal's languages), tries it on themselves,
 * then sends it to the confirmed signers who asked for updates, each in the language they signed
 * in when the update has it. DRAFT → SENDING → SENT: only one statement moves an update out of
 * DRAFT, so a second "Send" (a double click, two tabs, a replayed POST) sends nothing.
 *
 * Sending writes one delivery row per recipient in the same transaction as the state change and
 * the job (the outbox). The job sends to the rows still PENDING and marks each as it goes, so a
 * worker killed midway and started again carries on where it stopped.
 */

export const updateSubjectMaxLength = 200;
export const updateBodyMaxLength = 50_000;

export type UpdateText = { locale: string; subject: string; body: string };

export type UpdateProgress = { recipients: number; sent: number; failed: number; skipped: number; pending: number };

/**
 * An update whose sending has stopped short: signers are still waiting for it, but its job used
 * up its attempts (the mail server refused for hours) or is gone. An organizer can resume it.
 */
export type StalledSending = { waiting: number; lastError: string | null };

export type UpdateSummary = {
  id: string;
  status: "DRAFT" | "SENDING" | "SENT";
  stalled: StalledSending | null;
  subject: string;
  createdAt: Date;
  createdByName: string;
  sendStartedAt: Date | null;
  sentAt: Date | null;
  progress: UpdateProgress;
};

/** Who may get an update: confirmed, asked for updates, and an address their server has not refused. */
const eligibleSignature = { status: "CONFIRMED", wantsUpdates: true, emailRejectedAt: null, NOT: { email: "" } } as const;

export async function countUpdateRecipients(db: DatabaseOrTransaction, appealId: string): Promise<number> {
  return db.signature.count({ where: { appealId, ...eligibleSignature } });
}

async function progressOf(db: DatabaseOrTransaction, updateIds: string[]): Promise<Map<string, UpdateProgress>> {
  const rows = await db.signerUpdateDelivery.groupBy({ by: ["updateId", "status"], where: { updateId: { in: updateIds } }, _count: { _all: true } });
  const progress = new Map<string, UpdateProgress>();
  for (const id of updateIds) progress.set(id, { recipients: 0, sent: 0, failed: 0, skipped: 0, pending: 0 });
  for (const row of rows) {
    const entry = progress.get(row.updateId)!;
    const n = row._count._all;
    entry.recipients += n;
    if (row.status === "SENT") entry.sent += n;
    else if (row.status === "FAILED") entry.failed += n;
    else if (row.status === "SKIPPED") entry.skipped += n;
    else entry.pending += n;
  }
  return progress;
}

export async function getUpdateProgress(db: DatabaseOrTransaction, updateId: string): Promise<UpdateProgress> {
  return (await progressOf(db, [updateId])).get(updateId)!;
}

/** An appeal's updates, newest first, with how far each has gone. */
export async function listUpdates(db: DatabaseOrTransaction, appealId: string, locale: string): Promise<UpdateSummary[]> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { defaultLocale: true } });
  if (!appeal) return [];
  const updates = await db.signerUpdate.findMany({
    where: { appealId },
    orderBy: { createdAt: "desc" },
    include: { translations: { select: { locale: true, subject: true } } },
  });
  const progress = await progressOf(db, updates.map((update) => update.id));
  const stalled = new Map<string, StalledSending | null>();
  for (const update of updates) if (update.status === "SENDING") stalled.set(update.id, await stalledSending(db, update.id));
  return updates.map((update) => ({
    id: update.id,
    status: update.status,
    stalled: stalled.get(update.id) ?? null,
    subject: pickTranslation(update.translations, locale, appeal.defaultLocale)?.subject ?? "",
    createdAt: update.createdAt,
    createdByName: update.createdByName,
    sendStartedAt: update.sendStartedAt,
    sentAt: update.sentAt,
    progress: progress.get(update.id)!,
  }));
}

/**
 * Whether a SENDING update has stopped short (StalledSending), or null while it is on its way.
 * The queue is read before the deliveries: a job that sends the last ones and ends in between
 * then leaves nothing pending, instead of looking like a stop.
 */
async function stalledSending(db: DatabaseOrTransaction, updateId: string): Promise<StalledSending | null> {
  const jobs = await signerUpdateJobs(db, updateId);
  if (jobs.state === "queued") return null;
  const { pending } = await getUpdateProgress(db, updateId);
  if (pending === 0) return null;
  // The last error is the mail server's or the network's, for the organizer to act on; a long one is cut.
  return { waiting: pending, lastError: jobs.state === "gaveUp" && jobs.lastError ? jobs.lastError.slice(0, 300) : null };
}

/** A new, empty draft. */
export async function createUpdate(db: Database, appealId: string, organizer: SignedInOrganizer): Promise<string | null> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { id: true } });
  if (!appeal) return null;
  const update = await db.signerUpdate.create({ data: { appealId, createdByName: organizer.name }, select: { id: true } });
  return update.id;
}

export type UpdateForEditing = {
  id: string;
  appealId: string;
  status: "DRAFT" | "SENDING" | "SENT";
  /** The appeal's languages, its own first: an update may be written in any of them. */
  locales: string[];
  defaultLocale: string;
  texts: UpdateText[];
  sendStartedAt: Date | null;
  sentByName: string | null;
  sentAt: Date | null;
  progress: UpdateProgress;
  stalled: StalledSending | null;
  /** For a draft: how many signers it would go to now. */
  eligibleRecipients: number;
};

export async function getUpdateForEditing(db: DatabaseOrTransaction, appealId: string, updateId: string): Promise<UpdateForEditing | null> {
  if (!isUuid(updateId)) return null;
  const update = await db.signerUpdate.findFirst({
    where: { id: updateId, appealId },
    include: { translations: true, appeal: { select: { defaultLocale: true, translations: { select: { locale: true } } } } },
  });
  if (!update) return null;
  const { defaultLocale } = update.appeal;
  const locales = [defaultLocale, ...update.appeal.translations.map((t) => t.locale).filter((l) => l !== defaultLocale).sort()];
  return {
    id: update.id,
    appealId,
    status: update.status,
    locales,
    defaultLocale,
    texts: update.translations.map(({ locale, subject, body }) => ({ locale, subject, body })),
    sendStartedAt: update.sendStartedAt,
    sentByName: update.sentByName,
    sentAt: update.sentAt,
    progress: await getUpdateProgress(db, update.id),
    stalled: update.status === "SENDING" ? await stalledSending(db, update.id) : null,
    eligibleRecipients: update.status === "DRAFT" ? await countUpdateRecipients(db, appealId) : 0,
  };
}

export type UpdateTextErrors = Record<string, { subject?: "required" | "tooLong"; body?: "required" | "tooLong" }>;

/**
 * The texts an organizer typed, one pair per language; a language left blank has no text (its
 * signers get the appeal's own language, or another). Errors by language and field.
 */
export function validateUpdateTexts(
  raw: { locale: string; subject: string; body: string }[],
  locales: string[],
): { ok: true; texts: UpdateText[] } | { ok: false; errors: UpdateTextErrors; formError?: "noText" } {
  const errors: UpdateTextErrors = {};
  const texts: UpdateText[] = [];
  for (const entry of raw) {
    if (!locales.includes(entry.locale)) continue;
    const subject = withoutControlCharacters(entry.subject).replace(/\s+/g, " ").trim();
    const body = entry.body.replace(/\r\n?/g, "\n").trim();
    if (!subject && !body) continue;
    const fieldErrors: UpdateTextErrors[string] = {};
    if (!subject) fieldErrors.subject = "required";
    else if (subject.length > updateSubjectMaxLength) fieldErrors.subject = "tooLong";
    if (!body) fieldErrors.body = "required";
    else if (body.length > updateBodyMaxLength) fieldErrors.body = "tooLong";
    if (fieldErrors.subject || fieldErrors.body) errors[entry.locale] = fieldErrors;
    else texts.push({ locale: entry.locale, subject, body });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (texts.length === 0) return { ok: false, errors, formError: "noText" };
  return { ok: true, texts };
}

export type UpdateRefusal = "notFound" | "notDraft" | "noText" | "noRecipients" | "notStalled";

/** Replaces a draft's texts. Refused once it is being sent: what goes out is what was checked. */
export async function saveUpdateTexts(db: Database, appealId: string, updateId: string, texts: UpdateText[]): Promise<UpdateRefusal | null> {
  if (!isUuid(updateId)) return "notFound";
  return db.$transaction(async (tx) => {
    const [update] = await tx.$queryRaw<{ status: string }[]>`
      SELECT status::text FROM "SignerUpdate" WHERE id = ${updateId}::uuid AND "appealId" = ${appealId}::uuid FOR UPDATE`;
    if (!update) return "notFound";
    if (update.status !== "DRAFT") return "notDraft";
    await tx.signerUpdateTranslation.deleteMany({ where: { updateId } });
    await tx.signerUpdateTranslation.createMany({ data: texts.map((text) => ({ updateId, ...text })) });
    await tx.signerUpdate.update({ where: { id: updateId }, data: { updatedAt: new Date() } });
    return null;
  });
}

const actorOf = (organizer: SignedInOrganizer): AuditActor => ({ id: organizer.id, name: organizer.name, email: organizer.email });

/** "Send a test to me": every text of the update, to the organizer who asked, through the queue. */
export async function sendTestUpdate(db: Database, appealId: string, updateId: string, organizer: SignedInOrganizer): Promise<UpdateRefusal | null> {
  const update = await getUpdateForEditing(db, appealId, updateId);
  if (!update) return "notFound";
  if (update.texts.length === 0) return "noText";
  const appeal = await db.appeal.findUniqueOrThrow({ where: { id: appealId }, select: { slug: true } });
  await db.$transaction(async (tx) => {
    await enqueueSignerUpdateTest(tx, { updateId, organizerId: organizer.id });
    await recordAudit(tx, { actor: actorOf(organizer), action: "update.test-sent", appealId, subject: appeal.slug, details: { updateId, to: organizer.email } });
  });
  return null;
}

/**
 * An appeal's update, its row locked until the transaction ends, with the appeal's slug for the
 * audit: two presses on the update's buttons (send, delete, resume) are judged one after the other.
 */
async function lockUpdate(tx: DatabaseOrTransaction, appealId: string, updateId: string): Promise<{ status: string; slug: string } | null> {
  const [update] = await tx.$queryRaw<{ status: string; slug: string }[]>`
    SELECT u.status::text, a.slug FROM "SignerUpdate" u JOIN "Appeal" a ON a.id = u."appealId"
    WHERE u.id = ${updateId}::uuid AND u."appealId" = ${appealId}::uuid FOR UPDATE OF u`;
  return update ?? null;
}

/**
 * Deletes a draft with its texts. Refused once sending has started: what went out stays on record.
 * Locks the update as sending does, so a press on "Send" and one on "Delete" cannot both win.
 */
export async function deleteUpdateDraft(db: Database, appealId: string, updateId: string, organizer: SignedInOrganizer): Promise<UpdateRefusal | null> {
  if (!isUuid(updateId)) return "notFound";
  return db.$transaction(async (tx) => {
    const update = await lockUpdate(tx, appealId, updateId);
    if (!update) return "notFound";
    if (update.status !== "DRAFT") return "notDraft";
    await tx.signerUpdate.delete({ where: { id: updateId } });
    await recordAudit(tx, { actor: actorOf(organizer), action: "update.draft-deleted", appealId, subject: update.slug, details: { updateId } });
    return null;
  });
}

/**
 * "Send to N signers". In one transaction: DRAFT → SENDING (the only way out of DRAFT, so a
 * second press finds SENDING and is refused), one PENDING delivery per signer who may get it
 * now, the job that sends them, and the audit entry.
 */
export async function startSendingUpdate(
  db: Database,
  appealId: string,
  updateId: string,
  organizer: SignedInOrganizer,
): Promise<{ ok: true; recipients: number } | { ok: false; refusal: UpdateRefusal }> {
  if (!isUuid(updateId)) return { ok: false, refusal: "notFound" };
  return db.$transaction(async (tx) => {
    const [update] = await tx.$queryRaw<{ status: string; texts: number; slug: string }[]>`
      SELECT u.status::text, a.slug, (SELECT count(*)::int FROM "SignerUpdateTranslation" t WHERE t."updateId" = u.id) AS texts
      FROM "SignerUpdate" u JOIN "Appeal" a ON a.id = u."appealId"
      WHERE u.id = ${updateId}::uuid AND u."appealId" = ${appealId}::uuid FOR UPDATE OF u`;
    if (!update) return { ok: false, refusal: "notFound" };
    if (update.status !== "DRAFT") return { ok: false, refusal: "notDraft" };
    if (update.texts === 0) return { ok: false, refusal: "noText" };
    const recipients = await tx.$executeRaw`
      INSERT INTO "SignerUpdateDelivery" ("updateId", "signatureId")
      SELECT ${updateId}::uuid, s.id FROM "Signature" s
      WHERE s."appealId" = ${appealId}::uuid AND s.status = 'CONFIRMED' AND s."wantsUpdates"
        AND s."emailRejectedAt" IS NULL AND s.email <> ''`;
    if (recipients === 0) return { ok: false, refusal: "noRecipients" };
    await tx.signerUpdate.update({
      where: { id: updateId },
      data: { status: "SENDING", sendStartedAt: new Date(), sentByName: organizer.name, recipients },
    });
    await enqueueSignerUpdate(tx, updateId);
    await recordAudit(tx, { actor: actorOf(organizer), action: "update.sent", appealId, subject: update.slug, details: { updateId, recipients } });
    return { ok: true, recipients };
  });
}

/**
 * "Resume sending" for an update that stopped short (StalledSending): its job is queued again and
 * carries on with the signers still waiting, skipping those already sent. Refused while a job is
 * still on its way, so two presses queue one job.
 */
export async function resumeSendingUpdate(db: Database, appealId: string, updateId: string, organizer: SignedInOrganizer): Promise<UpdateRefusal | null> {
  if (!isUuid(updateId)) return "notFound";
  return db.$transaction(async (tx) => {
    const update = await lockUpdate(tx, appealId, updateId);
    if (!update) return "notFound";
    if (update.status !== "SENDING") return "notStalled";
    const stalled = await stalledSending(tx, updateId);
    if (!stalled) return "notStalled";
    await requeueSignerUpdate(tx, updateId);
    await recordAudit(tx, { actor: actorOf(organizer), action: "update.resumed", appealId, subject: update.slug, details: { updateId, waiting: stalled.waiting } });
    return null;
  });
}

/* ---------- What the worker uses ---------- */

export type UpdateRecipient = {
  signatureId: string;
  /** False when the signer withdrew, was set aside or unsubscribed after sending started. */
  stillWanted: boolean;
  to: string;
  locale: string;
};

export type UpdateForSending = {
  id: string;
  status: "DRAFT" | "SENDING" | "SENT";
  appeal: { slug: string; title: (locale: string) => string; publisherName: string; defaultLocale: string };
  textFor: (locale: string) => UpdateText;
};

export async function loadUpdateForSending(db: DatabaseOrTransaction, updateId: string): Promise<UpdateForSending | null> {
  const update = await db.signerUpdate.findUnique({
    where: { id: updateId },
    include: {
      translations: true,
      appeal: { select: { slug: true, publisherName: true, defaultLocale: true, translations: { select: { locale: true, title: true } } } },
    },
  });
  if (!update || update.translations.length === 0) return null;
  const { appeal } = update;
  return {
    id: update.id,
    status: update.status,
    appeal: {
      slug: appeal.slug,
      publisherName: appeal.publisherName,
      defaultLocale: appeal.defaultLocale,
      title: (locale) => pickTranslation(appeal.translations, locale, appeal.defaultLocale)?.title ?? appeal.slug,
    },
    // The signer's language if the update has it, else the appeal's own, else whichever it has.
    textFor: (locale) => pickTranslation(update.translations, locale, appeal.defaultLocale) ?? update.translations[0]!,
  };
}

/** The next recipients still to send to, in a stable order. */
export async function pendingRecipients(db: DatabaseOrTransaction, updateId: string, limit: number): Promise<UpdateRecipient[]> {
  const rows = await db.signerUpdateDelivery.findMany({
    where: { updateId, status: "PENDING" },
    orderBy: { signatureId: "asc" },
    take: limit,
    select: { signature: { select: { id: true, status: true, wantsUpdates: true, email: true, emailRejectedAt: true, locale: true } } },
  });
  // A paper signature may have no email; it never asked for updates either, but an address is
  // what an update needs, so none is sent without one.
  return rows.map(({ signature }) => ({
    signatureId: signature.id,
    stillWanted: signature.status === "CONFIRMED" && signature.wantsUpdates && signature.emailRejectedAt === null && !!signature.email,
    to: signature.email ?? "",
    locale: signature.locale,
  }));
}

/** Records what became of one recipient; only a PENDING row changes, so a repeat does nothing. */
export async function recordDelivery(db: DatabaseOrTransaction, updateId: string, signatureId: string, status: "SENT" | "FAILED" | "SKIPPED", error?: string): Promise<void> {
  await db.signerUpdateDelivery.updateMany({
    where: { updateId, signatureId, status: "PENDING" },
    data: { status, doneAt: new Date(), error: error?.slice(0, 500) ?? null },
  });
}

/** SENDING → SENT once no recipient is left. Returns whether any is still pending. */
export async function finishUpdateIfDone(db: DatabaseOrTransaction, updateId: string): Promise<{ pending: number }> {
  const pending = await db.signerUpdateDelivery.count({ where: { updateId, status: "PENDING" } });
  if (pending === 0) await db.signerUpdate.updateMany({ where: { id: updateId, status: "SENDING" }, data: { status: "SENT", sentAt: new Date() } });
  return { pending };
}

/* ---------- Unsubscribing ---------- */

/** A new unsubscribe link's token for one signature (one per email); only its hash is stored. */
export async function createUnsubscribeToken(db: DatabaseOrTransaction, signatureId: string): Promise<string> {
  const { token, tokenHash } = createToken();
  await db.signatureToken.create({
    data: { tokenHash, signatureId, purpose: "UNSUBSCRIBE", expiresAt: new Date(Date.now() + withdrawalLinkLifetimeMs) },
  });
  return token;
}

export type UnsubscribeView = { signatureId: string; unsubscribed: boolean; appeal: { slug: string; title: string } };

/** What the unsubscribe page shows before the button is pressed. Changes nothing. */
export async function findUnsubscribe(db: DatabaseOrTransaction, token: string, locale: string): Promise<UnsubscribeView | null> {
  if (!looksLikeToken(token)) return null;
  const found = await db.signatureToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      purpose: true,
      expiresAt: true,
      signature: {
        select: {
          id: true,
          wantsUpdates: true,
          appeal: { select: { slug: true, defaultLocale: true, translations: { select: { locale: true, title: true } } } },
        },
      },
    },
  });
  if (!found || found.purpose !== "UNSUBSCRIBE" || found.expiresAt.getTime() < Date.now()) return null;
  const { signature } = found;
  return {
    signatureId: signature.id,
    unsubscribed: !signature.wantsUpdates,
    appeal: { slug: signature.appeal.slug, title: pickTranslation(signature.appeal.translations, locale, signature.appeal.defaultLocale)?.title ?? signature.appeal.slug },
  };
}

/** One click (RFC 8058) or the page's button: no more updates for that signature. Repeating changes nothing. */
export async function unsubscribeFromUpdates(db: DatabaseOrTransaction, token: string, locale: string): Promise<UnsubscribeView | null> {
  const view = await findUnsubscribe(db, token, locale);
  if (!view) return null;
  if (!view.unsubscribed) await db.signature.update({ where: { id: view.signatureId }, data: { wantsUpdates: false } });
  return { ...view, unsubscribed: true };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
