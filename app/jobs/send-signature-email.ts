import type { Task } from "graphile-worker";
import { z } from "zod";
import { prepareSignatureEmail, recordEmailRejection } from "~/domain/signature-emails";
import { isPermanentRecipientRejection } from "~/infra/mail/mailer.server";
import { renderSignatureEmail } from "~/infra/mail/templates.server";
import type { JobDependencies } from "./job-dependencies";

const payloadSchema = z.object({
  signatureId: z.uuid(),
  kind: z.enum(["confirm-signature", "already-signed"]),
});

/** Emails a supporter about their signature: the confirmation link, or "you have already signed". */
export function sendSignatureEmail(deps: JobDependencies): Task {
  return async (payload, helpers) => {
    const job = payloadSchema.parse(payload);
    const email = await prepareSignatureEmail(deps.db, job, deps.publicUrl);
    if (!email) {
      deps.log.info({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind }, "email no longer needed");
      return;
    }
    let messageId: string;
    try {
      ({ messageId } = await deps.mailer.send(renderSignatureEmail(email)));
    } catch (error) {
      if (!isPermanentRecipientRejection(error)) throw error; // retried with backoff
      await recordEmailRejection(deps.db, job.signatureId, error.response ?? error.message);
      deps.log.warn({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind, responseCode: error.responseCode }, "email refused by the recipient's mail server");
      return;
    }
    deps.log.info({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind, messageId }, "email sent");
  };
}
