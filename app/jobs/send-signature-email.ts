import type { Task } from "graphile-worker";
import { z } from "zod";
import { prepareSignatureEmail } from "~/domain/signature-emails";
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
    const { messageId } = await deps.mailer.send(renderSignatureEmail(email));
    deps.log.info({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind, messageId }, "email sent");
  };
}
