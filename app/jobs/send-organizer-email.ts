import type { Task } from "graphile-worker";
import { z } from "zod";
import { prepareOrganizerEmail } from "~/domain/organizer-accounts.server";
import { renderOrganizerEmail } from "~/infra/mail/templates.server";
import type { JobDependencies } from "./job-dependencies";

const payloadSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("invitation"), organizerId: z.uuid(), invitedBy: z.string().max(200) }),
  z.object({ kind: z.literal("password-reset"), emailCanonical: z.string().max(254) }),
  z.object({ kind: z.literal("password-changed"), organizerId: z.uuid() }),
]);

/** Emails an organizer: an invitation, a link to reset their password, or the notice that it changed. */
export function sendOrganizerEmail(deps: JobDependencies): Task {
  return async (payload, helpers) => {
    const job = payloadSchema.parse(payload);
    const email = await prepareOrganizerEmail(deps.db, job, deps.publicUrl);
    if (!email) {
      // A reset asked for an address with no account: nothing to send, and nothing to tell anyone.
      deps.log.info({ jobId: helpers.job.id, kind: job.kind }, "organizer email not needed");
      return;
    }
    const { messageId } = await deps.mailer.send(renderOrganizerEmail(email));
    deps.log.info({ jobId: helpers.job.id, kind: job.kind, messageId }, "organizer email sent");
  };
}
