import { setTimeout as sleep } from "node:timers/promises";
import type { Task } from "graphile-worker";
import { z } from "zod";
import { recordEmailRejection } from "~/domain/signature-emails";
import { createUnsubscribeToken, finishUpdateIfDone, loadUpdateForSending, pendingRecipients, recordDelivery, type UpdateForSending } from "~/domain/updates";
import { isPermanentRecipientRejection } from "~/infra/mail/mailer.server";
import { renderSignerUpdateEmail } from "~/infra/mail/templates.server";
import { enqueueSignerUpdate } from "~/infra/queue/outbox.server";
import type { JobDependencies } from "./job-dependencies";

const payloadSchema = z.object({ updateId: z.uuid() });
const testPayloadSchema = z.object({ updateId: z.uuid(), organizerId: z.uuid() });

/**
 * Each job sends for at most this long, then queues the next one for the rest: a worker asked to
 * stop (a deploy) finishes its current job within seconds, not after the whole update.
 */
const batchMs = 20_000;
const batchSize = 500;

/**
 * Sends an update to the signers still waiting for it, one at a time, at UPDATE_EMAILS_PER_MINUTE.
 * Each recipient is marked as soon as the mail server accepted the message, so a job run again
 * (after a crash, or a retry) skips those already sent. Only a message accepted in the moment
 * before it was marked can go out twice (at-least-once, as in decision 013).
 */
export function sendSignerUpdate(deps: JobDependencies): Task {
  const intervalMs = deps.updateEmailsPerMinute ? 60_000 / deps.updateEmailsPerMinute : 0;
  return async (payload, helpers) => {
    const { updateId } = payloadSchema.parse(payload);
    const update = await loadUpdateForSending(deps.db, updateId);
    if (!update || update.status !== "SENDING") {
      deps.log.info({ jobId: helpers.job.id, updateId }, "update no longer being sent");
      return;
    }
    const started = Date.now();
    let sentInBatch = 0;
    for (;;) {
      const recipients = await pendingRecipients(deps.db, updateId, 50);
      if (recipients.length === 0) break;
      for (const recipient of recipients) {
        if (!recipient.stillWanted) {
          await recordDelivery(deps.db, updateId, recipient.signatureId, "SKIPPED");
          continue;
        }
        // Paced from the batch's start, so a slow message does not slow the ones after it.
        const due = started + sentInBatch * intervalMs;
        if (due > Date.now()) await sleep(due - Date.now());
        await sendToOne(deps, update, recipient);
        sentInBatch += 1;
      }
      if (Date.now() - started > batchMs || sentInBatch >= batchSize) break;
    }
    const { pending } = await finishUpdateIfDone(deps.db, updateId);
    // Runs after this job ends: the update's jobs share one named queue.
    if (pending > 0) await enqueueSignerUpdate(deps.db, updateId);
    deps.log.info({ jobId: helpers.job.id, updateId, sent: sentInBatch, pending }, pending > 0 ? "update batch sent" : "update sent");
  };
}

async function sendToOne(deps: JobDependencies, update: UpdateForSending, recipient: { signatureId: string; to: string; locale: string }) {
  const text = update.textFor(recipient.locale);
  const token = await createUnsubscribeToken(deps.db, recipient.signatureId);
  const email = renderSignerUpdateEmail({
    to: recipient.to,
    locale: text.locale,
    subject: text.subject,
    body: text.body,
    appealTitle: update.appeal.title(text.locale),
    appealUrl: `${deps.publicUrl}/appeals/${encodeURIComponent(update.appeal.slug)}`,
    publisherName: update.appeal.publisherName,
    unsubscribeUrl: `${deps.publicUrl}/unsubscribe/${token}`,
  });
  try {
    await deps.mailer.send(email);
  } catch (error) {
    if (!isPermanentRecipientRejection(error)) throw error; // the job is retried; sent ones are skipped
    const reason = error.response ?? error.message;
    await recordEmailRejection(deps.db, recipient.signatureId, reason);
    // The server's answer (which may name the address) is kept with the signature, erased with it.
    await recordDelivery(deps.db, update.id, recipient.signatureId, "FAILED");
    return;
  }
  await recordDelivery(deps.db, update.id, recipient.signatureId, "SENT");
}

/** "Send a test to me": each of the update's texts to the organizer who asked, marked as a test. */
export function sendSignerUpdateTest(deps: JobDependencies): Task {
  return async (payload, helpers) => {
    const { updateId, organizerId } = testPayloadSchema.parse(payload);
    const organizer = await deps.db.organizer.findUnique({ where: { id: organizerId }, select: { email: true, removedAt: true } });
    const update = await deps.db.signerUpdate.findUnique({ where: { id: updateId }, select: { translations: { select: { locale: true } } } });
    const forSending = await loadUpdateForSending(deps.db, updateId);
    if (!organizer || organizer.removedAt || !update || !forSending) {
      deps.log.info({ jobId: helpers.job.id, updateId }, "test update no longer needed");
      return;
    }
    for (const { locale } of update.translations) {
      const text = forSending.textFor(locale);
      await deps.mailer.send(
        renderSignerUpdateEmail({
          to: organizer.email,
          locale: text.locale,
          subject: text.subject,
          body: text.body,
          appealTitle: forSending.appeal.title(text.locale),
          appealUrl: `${deps.publicUrl}/appeals/${encodeURIComponent(forSending.appeal.slug)}`,
          publisherName: forSending.appeal.publisherName,
          // A test changes nobody's choice: its link leads to a page that says so.
          unsubscribeUrl: `${deps.publicUrl}/unsubscribe/test`,
          isTest: true,
        }),
      );
    }
    deps.log.info({ jobId: helpers.job.id, updateId }, "test update sent");
  };
}
