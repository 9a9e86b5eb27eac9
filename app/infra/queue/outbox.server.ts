import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * The outbox: jobs are rows in graphile-worker's table, added with its SQL function so that
 * they commit or roll back together with the data they are about (a signature and the
 * email confirming it). The worker picks them up after commit; no request waits on SMTP.
 */
export const taskNames = {
  sendSignatureEmail: "send_signature_email",
} as const;

export type SignatureEmailKind = "confirm-signature" | "already-signed";

export type SignatureEmailJob = { signatureId: string; kind: SignatureEmailKind };

/** Retries back off exponentially (graphile-worker: exp(attempt) seconds), ~1.5 days in all. */
const emailMaxAttempts = 12;

export async function enqueueSignatureEmail(db: DatabaseOrTransaction, job: SignatureEmailJob): Promise<void> {
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${taskNames.sendSignatureEmail}::text,
    ${JSON.stringify(job)}::json,
    max_attempts => ${emailMaxAttempts}::int
  )`;
}
