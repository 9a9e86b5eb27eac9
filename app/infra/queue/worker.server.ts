import { EventEmitter } from "node:events";
import { Logger as WorkerLogger, run, runMigrations, type Runner, type Task, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { withoutEmailAddresses, type Logger } from "~/infra/logger.server";
import { startWorkerLiveness } from "./dead-worker-recovery.server";

/** Creates or upgrades graphile-worker's own tables. Idempotent; run at every start. */
export async function prepareQueue(databaseUrl: string, log: Logger): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: queueLogger(log) });
}

type WorkerDependencies = {
  databaseUrl: string;
  concurrency: number;
  log: Logger;
  /** The jobs this worker runs (app/jobs), by task name. */
  taskList: Record<string, Task>;
  /** Scheduled jobs, in graphile-worker's crontab format. */
  crontab: string;
};

export type Worker = { stop: () => Promise<void> };

/** Runs queued and scheduled jobs (with retries and exponential backoff, by graphile-worker) until stopped. */
export async function startWorker(deps: WorkerDependencies): Promise<Worker> {
  // Our own pool, so that shutting down can wait until every connection is closed, and so that
  // a connection the server drops (e.g. Postgres stopping first on Ctrl+C) is logged, not fatal.
  const pool = new pg.Pool({ connectionString: deps.databaseUrl, max: deps.concurrency + 2 });
  const onConnectionError = (error: Error & { code?: string }) => {
    const fields = { err: { message: error.message, code: error.code } };
    if (error.code === serverShuttingDown) deps.log.debug(fields, "queue connection closed by the server");
    else deps.log.warn(fields, "queue connection lost");
  };
  // Idle connections report on the pool, busy ones on the client itself.
  pool.on("error", onConnectionError);
  pool.on("connect", (client) => client.on("error", onConnectionError));
  // Held before the runner starts, so every pool it creates is recorded under a held lock: if
  // this process dies, other workers run its unfinished jobs within seconds (decision 013).
  const liveness = await startWorkerLiveness({ databaseUrl: deps.databaseUrl, pool, log: deps.log });
  const events: WorkerEvents = new EventEmitter();
  events.on("pool:create", ({ workerPool }) => liveness.register(workerPool.id));
  const runner: Runner = await run({
    pgPool: pool,
    events,
    concurrency: deps.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: queueLogger(deps.log),
    taskList: deps.taskList,
    crontab: deps.crontab,
  });
  let stopping: Promise<void> | null = null;
  const stopRunnerThenPool = async () => {
    await runner.stop();
    await liveness.stop();
    await pool.end();
  };
  return { stop: () => (stopping ??= stopRunnerThenPool()) };
}

/** Postgres 57P01: the server is shutting down (Ctrl+C reaches the embedded Postgres too). Expected. */
const serverShuttingDown = "57P01";

type QueueLogMeta = {
  job?: { id?: unknown; task_identifier?: unknown; attempts?: unknown };
  jobs?: unknown[];
  error?: { message?: string; code?: string };
  fatalError?: { message?: string; code?: string };
  [field: string]: unknown;
};

/** Figures graphile-worker logs that name no one; anything else it attaches is left out. */
const plainQueueFields = ["duration", "attempts", "signal", "max", "concurrency", "success", "failure"];

/**
 * graphile-worker's log lines, kept to what names no one. Its meta carries the whole job (the
 * payload: a password reset's address), its options (the connection string) and errors with pg
 * clients attached; its messages quote an error, and an SMTP server's refusal usually quotes the
 * recipient. So: a job by id, task and attempt; errors by message and code; addresses masked.
 */
export function queueLogger(log: Logger): WorkerLogger {
  const queueLog = log.child({ component: "queue" });
  const describeError = (error: { message?: string; code?: string }) => ({ message: withoutEmailAddresses(String(error.message ?? error)), code: error.code });
  return new WorkerLogger(() => (level, rawMessage, meta) => {
    const { job, jobs, error, fatalError } = (meta ?? {}) as QueueLogMeta;
    const fields: Record<string, unknown> = {};
    for (const field of plainQueueFields) if (meta && typeof meta[field] !== "object") fields[field] = meta[field];
    if (job) fields.job = { id: job.id, task: job.task_identifier, attempts: job.attempts };
    if (jobs) fields.jobs = jobs.length;
    if (error) fields.err = describeError(error);
    if (fatalError) fields.fatalError = describeError(fatalError);
    const message = withoutEmailAddresses(rawMessage);
    if (error?.code === serverShuttingDown) queueLog.debug(fields, "database connection closed by the server");
    else if (level === "error") queueLog.error(fields, message);
    else if (level === "warning") queueLog.warn(fields, message);
    else if (level === "info") queueLog.info(fields, message);
    else queueLog.debug(fields, message);
  });
}
