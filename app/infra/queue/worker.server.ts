import { Logger as WorkerLogger, run, runMigrations, type Runner, type Task } from "graphile-worker";
import { z } from "zod";
import { prepareSignatureEmail } from "~/domain/signature-emails";
import type { Database } from "~/infra/db.server";
import type { Logger } from "~/infra/logger.server";
import type { Mailer } from "~/infra/mail/mailer.server";
import { renderSignatureEmail } from "~/infra/mail/templates.server";
import { taskNames } from "./outbox.server";

/** Creates or upgrades graphile-worker's own tables. Idempotent; run at every start. */
export async function prepareQueue(databaseUrl: string, log: Logger): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: queueLogger(log) });
}

type WorkerDependencies = {
  databaseUrl: string;
  db: Database;
  mailer: Mailer;
  publicUrl: string;
  concurrency: number;
  log: Logger;
};

const signatureEmailJobSchema = z.object({
  signatureId: z.uuid(),
  kind: z.enum(["confirm-signature", "already-signed"]),
});

export function createTaskList(deps: Pick<WorkerDependencies, "db" | "mailer" | "publicUrl" | "log">): Record<string, Task> {
  return {
    [taskNames.sendSignatureEmail]: async (payload, helpers) => {
      const job = signatureEmailJobSchema.parse(payload);
      const email = await prepareSignatureEmail(deps.db, job, deps.publicUrl);
      if (!email) {
        deps.log.info({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind }, "email no longer needed");
        return;
      }
      const { messageId } = await deps.mailer.send(renderSignatureEmail(email));
      deps.log.info({ jobId: helpers.job.id, signatureId: job.signatureId, kind: job.kind, messageId }, "email sent");
    },
  };
}

export type Worker = { stop: () => Promise<void> };

/** Sends queued email (with retries and exponential backoff, by graphile-worker) until stopped. */
export async function startWorker(deps: WorkerDependencies): Promise<Worker> {
  const runner: Runner = await run({
    connectionString: deps.databaseUrl,
    concurrency: deps.concurrency,
    maxPoolSize: deps.concurrency + 2,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: queueLogger(deps.log),
    taskList: createTaskList(deps),
    crontab: "",
  });
  let stopping: Promise<void> | null = null;
  return { stop: () => (stopping ??= runner.stop()) };
}

export function queueLogger(log: Logger): WorkerLogger {
  const queueLog = log.child({ component: "queue" });
  return new WorkerLogger(() => (level, message, meta) => {
    const fields = { ...(meta ?? {}) };
    if (level === "error") queueLog.error(fields, message);
    else if (level === "warning") queueLog.warn(fields, message);
    else if (level === "info") queueLog.info(fields, message);
    else queueLog.debug(fields, message);
  });
}
