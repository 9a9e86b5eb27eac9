import path from "node:path";
import pg from "pg";
import { seedDemoAppealIfEmpty } from "~/domain/demo-appeal";
import { createSignInThrottle, type SignInThrottle } from "~/domain/sign-in-throttle";
import { createRequestLimit, type RequestLimit } from "~/domain/request-limit";
import { createSigningLimitCounter, type SigningLimitCounter } from "~/domain/signing-limits.server";
import type { Config } from "./config.server";
import { openDatabase } from "./database-connection.server";
import { createDatabaseClient, requestDatabaseTimeouts, type Database } from "./db.server";
import { keepNewObjectsYoung } from "./garbage-collection.server";
import type { Logger } from "./logger.server";
import { createMailer, type Mailer } from "./mail/mailer.server";
import { applyMigrations } from "./migrations.server";
import { prepareQueue, startWorker, type Worker } from "./queue/worker.server";
import { createTaskList, jobSchedule } from "~/jobs";

/** Everything a web or worker process holds, made once at start and stopped once at exit. */
export type Runtime = {
  config: Config;
  log: Logger;
  db: Database;
  /** Raw pg connections for streaming reads (exports), which Prisma cannot do. */
  pg: pg.Pool;
  signingLimits: SigningLimitCounter;
  signInThrottle: SignInThrottle;
  passwordResetLimit: RequestLimit;
  /** Where the dev mailbox keeps messages; null when real SMTP is configured. */
  devMailboxDirectory: string | null;
  worker: Worker | null;
  stop: () => Promise<void>;
};

export type RuntimeOptions = {
  role: "web" | "worker";
  config: Config;
  log: Logger;
  /** Lines for the person who started the process (the terminal), as opposed to the JSON log. */
  say: (line: string) => void;
  /**
   * Called (after the reason is logged and printed) when the process can no longer do its work
   * and should stop with exit code 1: the embedded database it shared with another process has
   * stopped, or (worker) the database has been unreachable for longer than DATABASE_WAIT_SECONDS.
   */
  onFatal: () => void;
};

/**
 * Starts what the configuration asks for, falling back to local stand-ins outside
 * production: an embedded Postgres under DATA_DIR when DATABASE_URL is unset, and an SMTP
 * server writing to the dev mailbox when SMTP_URL is unset. Applies migrations before
 * anything reads the database.
 */
export async function startRuntime({ role, config, log, say, onFatal: stopProcess }: RuntimeOptions): Promise<Runtime> {
  // The web process runs with a smaller young generation, which needs this (decision 031).
  if (role === "web") keepNewObjectsYoung();
  const onFatal = (reason: string) => {
    log.error({ reason }, "stopping");
    process.stderr.write(`\n${reason}\n`);
    stopProcess();
  };
  const stoppers: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = async () => {
    for (const stopOne of [...stoppers].reverse()) {
      try {
        await stopOne();
      } catch (error) {
        log.error({ err: error }, "error while stopping");
      }
    }
  };
  const stop = () => (stopping ??= stopAll());

  try {
    const database = await openDatabase(config, say, { debug: (line) => log.debug({ component: "embedded-postgres" }, line) });
    stoppers.push(() => database.stop());
    if (database.sharedEmbeddedServer) {
      const { postmasterPid, ownerPid } = database.sharedEmbeddedServer;
      const watch = await watchSharedServer(postmasterPid, () =>
        onFatal(`The embedded Postgres that process ${ownerPid} ran has stopped (was that \`npm start\`?), so this process stops too. Start it again.`),
      );
      stoppers.push(watch);
    }

    const migrations = await applyMigrations(database.url, { log: (line) => log.info({ component: "migrations" }, line) });
    if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, "migrations applied");
    if (migrations.recovered.length > 0) say(`Recovered ${migrations.recovered.join(", ")}, left unfinished by an interrupted start.`);
    await prepareQueue(database.url, log);

    // A web process's requests work under time limits; jobs (which may run long) do not.
    const db = createDatabaseClient(database.url, role === "web" ? { timeouts: requestDatabaseTimeouts } : {});
    stoppers.push(() => db.$disconnect());
    const streamingPool = new pg.Pool({ connectionString: database.url, max: 4, connectionTimeoutMillis: 5_000 });
    streamingPool.on("error", (error) => log.warn({ err: { message: error.message } }, "streaming connection lost"));
    stoppers.push(() => streamingPool.end());

    if (!config.isProduction && (await seedDemoAppealIfEmpty(db))) log.info("demo appeal added to the empty database");

    let smtpUrl = config.smtpUrl;
    let devMailboxDirectory: string | null = null;
    if (!smtpUrl) {
      devMailboxDirectory = path.join(config.dataDir, "mailbox");
      const { startSmtpSink } = await import("~/local/smtp-sink.server");
      const sink = await startSmtpSink({ directory: devMailboxDirectory });
      stoppers.push(() => sink.stop());
      smtpUrl = sink.url;
      log.info({ directory: devMailboxDirectory }, "dev mailbox active (SMTP_URL is not set)");
      say(`Mail is not sent (SMTP_URL is not set): it is kept in ${devMailboxDirectory}.`);
    }
    const mailer: Mailer = createMailer({ smtpUrl, from: config.mailFrom, connections: config.workerConcurrency });
    stoppers.push(() => mailer.close());

    let worker: Worker | null = null;
    if (role === "worker" || config.runWorker) {
      const jobsDb = role === "worker" ? db : createDatabaseClient(database.url, { maxConnections: config.workerConcurrency + 1 });
      if (jobsDb !== db) stoppers.push(() => jobsDb.$disconnect());
      worker = await startWorker({
        databaseUrl: database.url,
        concurrency: config.workerConcurrency,
        log,
        taskList: createTaskList({ db: jobsDb, mailer, publicUrl: config.publicUrl, log, networkAddressRetentionDays: config.site.networkAddressRetentionDays, updateEmailsPerMinute: config.updateEmailsPerMinute }),
        crontab: jobSchedule,
      });
      stoppers.push(() => worker?.stop());
    }
    if (role === "worker") {
      stoppers.push(
        watchDatabase(db, config.databaseWaitMs, () =>
          onFatal(
            `The database (${database.description}) has not answered for ${Math.round(config.databaseWaitMs / 1000)} s, so the worker stops. ` +
              `Queued email waits in the database until a worker runs again.`,
          ),
        ),
      );
    }

    const signingLimits = createSigningLimitCounter(db, config.signingLimits, config.sessionSecret);
    const signInThrottle = createSignInThrottle(db, config.sessionSecret);
    const passwordResetLimit = createRequestLimit(db, config.sessionSecret, { name: "password-reset", perHour: 10 });
    return { config, log, db, pg: streamingPool, signingLimits, signInThrottle, passwordResetLimit, devMailboxDirectory, worker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Calls `onGone` once when the shared embedded server's process ends. Returns the unwatch. */
async function watchSharedServer(postmasterPid: number, onGone: () => void): Promise<() => void> {
  const { isProcessAlive } = await import("~/local/embedded-postgres.server");
  const timer = setInterval(() => {
    if (isProcessAlive(postmasterPid)) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A worker whose database is gone has nothing to do, and graphile-worker would retry for
 * ever; after `lostForMs` without an answer it stops, and a supervisor (or a person) starts it
 * again. Returns the unwatch.
 */
function watchDatabase(db: Database, lostForMs: number, onLost: () => void): () => void {
  let lastAnswer = Date.now();
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      await Promise.race([db.$queryRaw`SELECT 1`, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 5_000).unref())]);
      lastAnswer = Date.now();
    } catch {
      if (Date.now() - lastAnswer >= lostForMs) {
        clearInterval(timer);
        onLost();
      }
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), Math.min(5_000, Math.max(500, lostForMs / 4)));
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Whatever still runs when a process is told to stop (a job that will not end, a pool that will
 * not close), it ends after `ms`: a deployment must be able to count on SIGTERM.
 */
export function exitAnywayAfter(ms: number, exitCode: number, log: Logger): void {
  setTimeout(() => {
    log.error({ ms }, "did not stop in time: exiting");
    process.exit(exitCode);
  }, ms).unref();
}
