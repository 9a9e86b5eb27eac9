import { Prisma } from "~/generated/prisma/client";
import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * The outbox: jobs are rows in graphile-worker's table, added with its SQL function so that
 * they commit or roll back together with the data they are about (a signature and the
 * email confirming it). The worker picks them up after commit; no request waits on SMTP.
 */
export const taskNames = {
  sendSignatureEmail: "send_signature_email",
  sendOrganizerEmail: "send_organizer_email",
  closeAppealsAtDeadline: "close_appeals_at_deadline",
  erasePersonalData: "erase_personal_data",
  sendSignerUpdate: "send_signer_update",
  sendSignerUpdateTest: "send_signer_update_test",
} as const;

export type SignatureEmailKind = "confirm-signature" | "already-signed";

export type SignatureEmailJob = { signatureId: string; kind: SignatureEmailKind };

/** Retries back off exponentially (graphile-worker: exp(min(attempt, 10)) seconds), about 16 hours in all. */
const emailMaxAttempts = 12;

export async function enqueueSignatureEmail(db: DatabaseOrTransaction, job: SignatureEmailJob): Promise<void> {
  await enqueueEmail(db, taskNames.sendSignatureEmail, job);
}

/**
 * The jobs enqueueSignatureEmail would add, one for each row of the statement's `emails`
 * relation (columns `id`, a signature's, and `kind`), added by one call: graphile-worker
 * notifies its workers once for them all. As an SQL expression giving how many were added, for
 * a statement that writes the signatures too.
 */
export function signatureEmailJobsForEmails(): Prisma.Sql {
  return Prisma.sql`(SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
    SELECT (${taskNames.sendSignatureEmail}::text, json_build_object('signatureId', id, 'kind', kind), NULL, NULL, ${emailMaxAttempts}::smallint, NULL, NULL, NULL)::graphile_worker.job_spec
    FROM emails
  )))`;
}

/**
 * Emails to organizers. Payloads never hold a token: the job makes it when it sends, so the
 * queue can be read without giving anyone a way in.
 */
export type OrganizerEmailJob =
  | { kind: "invitation"; organizerId: string; invitedBy: string }
  | { kind: "password-reset"; emailCanonical: string }
  | { kind: "password-changed"; organizerId: string };

export async function enqueueOrganizerEmail(db: DatabaseOrTransaction, job: OrganizerEmailJob): Promise<void> {
  await enqueueEmail(db, taskNames.sendOrganizerEmail, job);
}

async function enqueueEmail(db: DatabaseOrTransaction, task: string, payload: object): Promise<void> {
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${task}::text,
    ${JSON.stringify(payload)}::json,
    max_attempts => ${emailMaxAttempts}::int
  )`;
}

/**
 * An update to signers: one job per update, which sends a batch and queues the next. Its jobs
 * share a named queue, so graphile-worker runs them one at a time: two workers never send the
 * same update at once.
 */
export async function enqueueSignerUpdate(db: DatabaseOrTransaction, updateId: string): Promise<void> {
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${taskNames.sendSignerUpdate}::text,
    json_build_object('updateId', ${updateId}::text),
    queue_name => ${`signer-update:${updateId}`}::text,
    max_attempts => ${emailMaxAttempts}::int
  )`;
}

/**
 * Where an update's sending stands in the queue: a job waiting, retrying or running ("queued"),
 * only jobs that used up their attempts ("gaveUp", the last one's error kept), or none at all.
 */
export type SignerUpdateJobs = { state: "queued" } | { state: "gaveUp"; lastError: string | null } | { state: "none" };

export async function signerUpdateJobs(db: DatabaseOrTransaction, updateId: string): Promise<SignerUpdateJobs> {
  // A job's attempts are counted when a worker picks it up, so one running its last attempt has
  // used them all yet is on its way. A lock older than graphile-worker's own four hours is a
  // dead worker's (decision 013 frees those sooner).
  const jobs = await db.$queryRaw<{ attempts: number; max_attempts: number; last_error: string | null; running: boolean }[]>`
    SELECT attempts, max_attempts, last_error, locked_at > now() - interval '4 hours' AS running FROM graphile_worker.jobs
    WHERE queue_name = ${`signer-update:${updateId}`} AND task_identifier = ${taskNames.sendSignerUpdate}
    ORDER BY id DESC`;
  if (jobs.some((job) => job.attempts < job.max_attempts || job.running)) return { state: "queued" };
  return jobs[0] ? { state: "gaveUp", lastError: jobs[0].last_error } : { state: "none" };
}

/**
 * Queues an update's sending again after its jobs gave up; the jobs that gave up are removed
 * (graphile-worker keeps them, unrun, for ever), so the queue shows only the new one.
 */
export async function requeueSignerUpdate(db: DatabaseOrTransaction, updateId: string): Promise<void> {
  await db.$queryRaw`
    SELECT count(*) FROM graphile_worker.complete_jobs(ARRAY(
      SELECT id FROM graphile_worker.jobs
      WHERE queue_name = ${`signer-update:${updateId}`} AND task_identifier = ${taskNames.sendSignerUpdate} AND attempts >= max_attempts))`;
  await enqueueSignerUpdate(db, updateId);
}

/** "Send a test to me": the organizer's id, never an address or a token, is in the payload. */
export async function enqueueSignerUpdateTest(db: DatabaseOrTransaction, job: { updateId: string; organizerId: string }): Promise<void> {
  await enqueueEmail(db, taskNames.sendSignerUpdateTest, job);
}
