/**
 * Confirmation emails delivered by a separate worker process (`npm run worker`, the production
 * build) to a local SMTP server, beside a baseline measured in the same run: the same number of
 * messages sent straight from this process with nodemailer over the same kind of pooled
 * connections, with no database and no queue. Then checks that every signer got exactly one
 * email and that the queue is empty. Prints figures; never fails on timing.
 *
 *   npm run build && npm run bench:worker
 *   BENCH_EMAILS=5000 BENCH_WORKER_CONCURRENCY=20 BENCH_DATABASE_URL=postgres://… npm run bench:worker
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { createAppeal } from "~/domain/appeals";
import { demoAppeal } from "~/domain/demo-appeal";
import { createDatabaseClient } from "~/infra/db.server";
import { createLogger } from "~/infra/logger.server";
import { applyMigrations } from "~/infra/migrations.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { freePort, productionNodeArgs, requireBuild, startProcess, type Started } from "../tests/support/processes";
import { createBenchDatabase, openBenchPool } from "./support/database";
import { describeCpu, startCpuProbe } from "./support/probe";

const emails = Number(process.env.BENCH_EMAILS ?? 3000);
const concurrency = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 20);
const target = 200;

/** An SMTP server that counts what it receives, per recipient, and keeps nothing else. */
async function startCountingSmtpServer(): Promise<{ url: string; received: () => number; perRecipient: Map<string, number>; stop: () => Promise<void> }> {
  const perRecipient = new Map<string, number>();
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        received++;
        for (const recipient of session.envelope.rcptTo) perRecipient.set(recipient.address, (perRecipient.get(recipient.address) ?? 0) + 1);
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, perRecipient, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString("en");

async function main() {
  requireBuild();
  const database = await createBenchDatabase("worker");
  const smtp = await startCountingSmtpServer();
  let worker: Started | null = null;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-bench-worker-"));
  const direct = openBenchPool(database.url, 2);
  try {
    await applyMigrations(database.url, { log: () => undefined });
    await prepareQueue(database.url, createLogger("warn"));
    const db = createDatabaseClient(database.url);
    const { rows: versionRows } = await direct.query<{ server_version: string }>("SHOW server_version");
    console.log(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, PostgreSQL ${versionRows[0]?.server_version} (${database.server})`);
    console.log(`${emails.toLocaleString("en")} confirmation emails; worker WORKER_CONCURRENCY=${concurrency} (BENCH_WORKER_CONCURRENCY), its SMTP connections pooled; a counting SMTP server on loopback.\n`);

    // 1. Baseline: the SMTP side alone, from this process, as many connections as the worker has.
    const transport = nodemailer.createTransport({ url: smtp.url, pool: true, maxConnections: concurrency, maxMessages: Infinity } as never);
    const body = "Please confirm your signature: https://bench.example/confirm/0123456789abcdef0123456789abcdef\n".repeat(12);
    const baselineStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < emails) {
          const index = next++;
          await transport.sendMail({ from: "bench@undersign.test", to: `baseline${index}@bench.example`, subject: "Confirm your signature", text: body, html: `<p>${body}</p>` });
        }
      }),
    );
    const baselineMs = performance.now() - baselineStarted;
    transport.close();
    console.log(`  nodemailer straight to SMTP, ${concurrency} pooled connections: ${emails.toLocaleString("en")} in ${(baselineMs / 1000).toFixed(1)} s = ${rate(emails, baselineMs)}/s`);

    // 2. The worker: pending signatures, each with its queued confirmation email, as signing leaves them.
    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-worker", proofOfWork: "OFF" });
    await direct.query(
      `INSERT INTO "Signature" (id, "appealId", "fullName", email, "emailCanonical", "emailsSent")
       SELECT gen_random_uuid(), $1::uuid, 'Bench Signer ' || n, 'signer' || n || '@bench.example', 'signer' || n || '@bench.example', 1
       FROM generate_series(1, $2::int) AS n`,
      [appeal.id, emails],
    );
    await direct.query(
      `SELECT graphile_worker.add_job('send_signature_email', json_build_object('signatureId', id, 'kind', 'confirm-signature'), max_attempts => 12)
       FROM "Signature" WHERE "appealId" = $1`,
      [appeal.id],
    );
    await db.$disconnect();
    const before = smtp.received();
    worker = startProcess("node", [...productionNodeArgs("worker"), "build/worker.js"], {
      env: {
        NODE_ENV: "production",
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        MAIL_FROM: "Undersign Bench <bench@undersign.test>",
        PUBLIC_URL: "https://bench.example",
        SESSION_SECRET: "bench-worker-secret-0123456789abcdef0123",
        OPERATOR_NAME: "Undersign Bench",
        OPERATOR_ADDRESS: "1 Test Street",
        OPERATOR_EMAIL: "bench@undersign.test",
        WORKER_CONCURRENCY: String(concurrency),
        DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
      },
    });
    await worker.waitForOutput(/worker is running/);
    const started = performance.now();
    const stopCpu = startCpuProbe({ app: worker.child.pid!, postmaster: null }, os.cpus().length);
    const deadline = started + 600_000;
    while (smtp.received() - before < emails && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const workerMs = performance.now() - started;
    const cpu = stopCpu();
    const delivered = smtp.received() - before;
    console.log(`  the worker process (npm run worker), ${concurrency} at a time:        ${delivered.toLocaleString("en")} in ${(workerMs / 1000).toFixed(1)} s = ${rate(delivered, workerMs)}/s   target ≥ ${target}/s: ${(delivered / workerMs) * 1000 >= target ? "met" : `MISSED (${Math.round(((delivered / workerMs) * 1000 * 100) / target)}% of it)`}; ${((delivered / workerMs / (emails / baselineMs)) * 100).toFixed(0)}% of the baseline`);
    console.log(`    ${describeCpu(cpu, delivered).replace("server process", "worker process")}`);

    const { rows: queue } = await direct.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`);
    let once = 0;
    let more = 0;
    for (let index = 1; index <= emails; index++) {
      const got = smtp.perRecipient.get(`signer${index}@bench.example`) ?? 0;
      if (got === 1) once++;
      else if (got > 1) more++;
    }
    console.log(`    ${once === emails && queue[0]!.n === 0 ? "nothing lost" : "DISCREPANCY"}: ${once.toLocaleString("en")} of ${emails.toLocaleString("en")} signers got exactly one email, ${more} more than one; ${queue[0]!.n} jobs left in the queue`);
  } finally {
    await worker?.stop();
    await direct.end();
    await smtp.stop();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
