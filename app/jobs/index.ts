import type { Task } from "graphile-worker";
import { taskNames } from "~/infra/queue/outbox.server";
import { closeAppealsAtDeadlineJob } from "./close-appeals-at-deadline";
import { erasePersonalDataJob } from "./erase-personal-data";
import type { JobDependencies } from "./job-dependencies";
import { sendOrganizerEmail } from "./send-organizer-email";
import { sendSignatureEmail } from "./send-signature-email";
import { sendSignerUpdate, sendSignerUpdateTest } from "./send-signer-update";

export type { JobDependencies };

/** Every background job, one file each, named for what it does. */
export function createTaskList(deps: JobDependencies): Record<string, Task> {
  return {
    [taskNames.sendSignatureEmail]: sendSignatureEmail(deps),
    [taskNames.sendOrganizerEmail]: sendOrganizerEmail(deps),
    [taskNames.closeAppealsAtDeadline]: closeAppealsAtDeadlineJob(deps),
    [taskNames.erasePersonalData]: erasePersonalDataJob(deps),
    [taskNames.sendSignerUpdate]: sendSignerUpdate(deps),
    [taskNames.sendSignerUpdateTest]: sendSignerUpdateTest(deps),
  };
}

/**
 * Scheduled jobs (graphile-worker crontab). `?fill=…` runs a missed run once after a worker
 * restart; each job catches up on everything overdue, so nothing depends on a run not missed.
 */
export const jobSchedule = [
  `* * * * * ${taskNames.closeAppealsAtDeadline} ?fill=5m&max=1`,
  // Hourly: erasure is due by the day, and an hour late is still on the promised date.
  `0 * * * * ${taskNames.erasePersonalData} ?fill=2h&max=1`,
].join("\n");
