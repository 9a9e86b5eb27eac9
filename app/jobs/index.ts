import type { Task } from "graphile-worker";
import { taskNames } from "~/infra/queue/outbox.server";
import { closeAppealsAtDeadlineJob } from "./close-appeals-at-deadline";
import type { JobDependencies } from "./job-dependencies";
import { sendOrganizerEmail } from "./send-organizer-email";
import { sendSignatureEmail } from "./send-signature-email";

export type { JobDependencies };

/** Every background job, one file each, named for what it does. */
export function createTaskList(deps: JobDependencies): Record<string, Task> {
  return {
    [taskNames.sendSignatureEmail]: sendSignatureEmail(deps),
    [taskNames.sendOrganizerEmail]: sendOrganizerEmail(deps),
    [taskNames.closeAppealsAtDeadline]: closeAppealsAtDeadlineJob(deps),
  };
}

/**
 * Scheduled jobs (graphile-worker crontab). `?fill=5m` runs a missed minute once after a worker
 * restart; the job itself closes everything overdue, so nothing depends on a run not missed.
 */
export const jobSchedule = `* * * * * ${taskNames.closeAppealsAtDeadline} ?fill=5m&max=1`;
