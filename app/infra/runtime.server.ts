import path from "node:path";
import { seedDemoAppealIfEmpty } from "~/domain/demo-appeal";
import { createSigningRateLimit, type SigningRateLimit } from "~/domain/signing-rate-limit";
import { loadConfig, type Config } from "./config.server";
import { createDatabaseClient, type Database } from "./db.server";
import { startEmbeddedPostgres } from "./embedded-postgres.server";
import { createLogger, type Logger } from "./logger.server";
import { createMailer, type Mailer } from "./mail/mailer.server";
import { startSmtpSink } from "./mail/smtp-sink.server";
import { applyMigrations } from "./migrations.server";
import { prepareQueue, startWorker, type Worker } from "./queue/worker.server";

/** Everything a web or worker process holds, made once at start and stopped once at exit. */
export type Runtime = {
  config: Config;
  log: Logger;
  db: Database;
  signingRateLimit: SigningRateLimit;
  /** Where the dev mailbox keeps messages; null when real SMTP is configured. */
  devMailboxDirectory: string | null;
  worker: Worker | null;
  stop: () => Promise<void>;
};

/**
 * Starts what the configuration asks for, falling back to local stand-ins outside
 * production: an embedded Postgres under DATA_DIR when DATABASE_URL is unset, and an SMTP
 * server writing to the dev mailbox when SMTP_URL is unset. Applies migrations before
 * anything reads the database.
 */
export async function startRuntime(options: { role: "web" | "worker" }): Promise<Runtime> {
  const config = loadConfig();
  const log = createLogger(config.logLevel).child({ role: options.role });
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
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, "postgres"),
        onLog: (message) => log.debug({ component: "embedded-postgres" }, message),
      });
      stoppers.push(() => embedded.stop());
      databaseUrl = embedded.url;
      log.info({ dataDir: path.join(config.dataDir, "postgres") }, "embedded Postgres started (DATABASE_URL is not set)");
    }

    const migrations = await applyMigrations(databaseUrl);
    if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, "migrations applied");
    await prepareQueue(databaseUrl, log);

    const db = createDatabaseClient(databaseUrl);
    stoppers.push(() => db.$disconnect());

    if (!config.isProduction && (await seedDemoAppealIfEmpty(db))) log.info("demo appeal added to the empty database");

    let smtpUrl = config.smtpUrl;
    let devMailboxDirectory: string | null = null;
    if (!smtpUrl) {
      devMailboxDirectory = path.join(config.dataDir, "mailbox");
      const sink = await startSmtpSink({ directory: devMailboxDirectory });
      stoppers.push(() => sink.stop());
      smtpUrl = sink.url;
      log.info("dev mailbox active (SMTP_URL is not set): mail is kept under .data/mailbox and shown at /dev/mailbox");
    }
    const mailer: Mailer = createMailer({ smtpUrl, from: config.mailFrom });
    stoppers.push(() => mailer.close());

    let worker: Worker | null = null;
    if (options.role === "worker" || config.runWorker) {
      worker = await startWorker({
        databaseUrl,
        db,
        mailer,
        publicUrl: config.publicUrl,
        concurrency: config.workerConcurrency,
        log,
      });
      stoppers.push(() => worker?.stop());
    }

    const signingRateLimit = createSigningRateLimit(db, config.signingLimits, config.sessionSecret);
    return { config, log, db, signingRateLimit, devMailboxDirectory, worker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
