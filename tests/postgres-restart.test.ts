/**
 * Postgres restarted (a fast shutdown, as `systemctl restart` or a managed failover does it)
 * while people sign: while it is away each sign request gets a friendly 503 with Retry-After
 * and /healthz says 503; once it is back the app serves again by itself within seconds; and no
 * signature is half written: each stored one has its confirmation email queued, and every
 * signature answered as accepted is stored. Workers sending email through a restart may die of it
 * (graphile-worker 0.17 leaves a failed job completion unhandled); started again, they send every
 * email, at most one twice per job that was in flight. The database is a throwaway embedded
 * cluster of this file's own, stopped and started again on the same port.
 *
 *   npm run build && node --import tsx --test tests/postgres-restart.test.ts
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { signAppeal, validateSignature } from "~/domain/signatures";
import { createDatabaseClient, type Database } from "~/infra/db.server";
import { applyMigrations } from "~/infra/migrations.server";
import { createLogger } from "~/infra/logger.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { taskNames } from "~/infra/queue/outbox.server";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "~/local/embedded-postgres.server";
import { createTestAppeal } from "./support/appeals";
import { startTestInbox } from "./support/mail";
import { builtProcesses, burstSigningEnv, hasStackTrace } from "./support/processes";
import { waitFor } from "./support/wait";

const secret = "postgres-restart-secret-0123456789abcdef";
const connections = 8;
const workerConcurrency = 5;
let folder: string;
let postgres: EmbeddedPostgres;
let db: Database;
const processes = builtProcesses();

const startPostgres = (port?: number) => startEmbeddedPostgres({ dataDir: path.join(folder, "postgres"), database: "undersign", port });

before(async () => {
  // Reachable by the `postgres` OS user when the tests run as root.
  folder = await mkdtemp(path.join(os.tmpdir(), "undersign-restart-"));
  await chmod(folder, 0o755);
  postgres = await startPostgres();
  await applyMigrations(postgres.url);
  await prepareQueue(postgres.url, createLogger("warn"));
  db = createDatabaseClient(postgres.url);
});

after(async () => {
  await processes.stopAll();
  await db?.$disconnect();
  await postgres?.stop();
  await rm(folder, { recursive: true, force: true });
});

type Answer = { email: string; status: number | "no answer"; retryAfter: string | null; body: string; at: number };

test("Postgres restarted during signing: 503s while it is away, serving again by itself within seconds, nothing half written", async (t) => {
  const appeal = await createTestAppeal(db, { proofOfWork: "OFF" });
  const { port } = await processes.start("server", burstSigningEnv({ databaseUrl: postgres.url, sessionSecret: secret }));
  const app = `http://127.0.0.1:${port}`;

  // Signers keep coming, each with a new address, until told to stop; /healthz is asked 5 times a second.
  const answers: Answer[] = [];
  const health: { status: number | "no answer"; at: number }[] = [];
  let loadRunning = true;
  let counter = 0;
  const formIssuedAt = issueFormToken(secret, Date.now() - 10_000);
  const signers = Array.from({ length: connections }, async () => {
    while (loadRunning) {
      const email = `restart${counter++}@example.org`;
      const answer = await fetch(`${app}/appeals/${appeal.slug}?index`, {
        method: "POST",
        redirect: "manual",
        headers: { "Sec-Fetch-Site": "same-origin" },
        body: new URLSearchParams({ fullName: "Restart Signer", email, acceptPrivacy: "on", formIssuedAt }),
      }).then(
        async (response) => ({ email, status: response.status, retryAfter: response.headers.get("Retry-After"), body: await response.text(), at: Date.now() }),
        () => ({ email, status: "no answer" as const, retryAfter: null, body: "", at: Date.now() }),
      );
      answers.push(answer);
      // Someone told "try again in a moment" does, a little later.
      if (answer.status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  const healthChecks = (async () => {
    while (loadRunning) {
      const status = await fetch(`${app}/healthz`).then(
        (response) => response.status,
        () => "no answer" as const,
      );
      health.push({ status, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const accepted = () => answers.filter((answer) => answer.status === 303);

  try {
    await waitFor(async () => accepted().length >= 50, "signing under way");

    await postgres.stop();
    const stoppedAt = Date.now();
    // Away for a few seconds, as a restart or a failover takes.
    await waitFor(async () => answers.some((a) => a.at > stoppedAt + 3_000 && a.status === 503) && health.some((h) => h.at > stoppedAt && h.status === 503), "503s for three seconds");
    const acceptedWhileDown = answers.filter((a) => a.at > stoppedAt + 500 && a.status === 303);

    postgres = await startPostgres(postgres.port);
    const backAt = Date.now();
    await waitFor(async () => answers.some((a) => a.at > backAt && a.status === 303) && health.some((h) => h.at > backAt && h.status === 200), "serving again", 20_000);
    const recoveredAt = Math.max(answers.find((a) => a.at > backAt && a.status === 303)!.at, health.find((h) => h.at > backAt && h.status === 200)!.at);
    const countAtRecovery = accepted().length;
    await waitFor(async () => accepted().length >= countAtRecovery + 50, "more signatures after the restart");
    loadRunning = false;
    await Promise.all([...signers, healthChecks]);

    // While it was away: friendly 503s, never a 500, never a dropped connection.
    assert.deepEqual(acceptedWhileDown, [], "nothing was accepted while Postgres was down");
    assert.deepEqual([...new Set(answers.map((a) => a.status))].sort(), [303, 503], "every answer was a 303 or a 503");
    const unavailable = answers.filter((a) => a.status === 503);
    assert.ok(unavailable.every((a) => a.retryAfter === "5"), "each 503 says when to try again");
    assert.ok(unavailable.every((a) => /try again in a moment/i.test(a.body) && !hasStackTrace(a.body)), unavailable[0]?.body);
    assert.ok(health.some((h) => h.at > stoppedAt && h.at < backAt && h.status === 503), "/healthz said 503 while it was down");
    assert.equal(health.at(-1)?.status, 200, "/healthz says 200 after");
    const recoverySeconds = (recoveredAt - backAt) / 1000;
    assert.ok(recoverySeconds < 10, `serving again ${recoverySeconds} s after Postgres was back`);

    // Nothing half written: every stored signature has its confirmation job, every 303 was stored.
    const stored = await db.$queryRaw<{ email: string; jobs: bigint }[]>`
      SELECT s.email, (SELECT count(*) FROM graphile_worker._private_jobs AS jobs
                       WHERE jobs.task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${taskNames.sendSignatureEmail})
                         AND jobs.payload->>'signatureId' = s.id::text) AS jobs
      FROM "Signature" AS s WHERE s."appealId" = ${appeal.id}::uuid`;
    assert.deepEqual(stored.filter((row) => row.jobs !== 1n), [], "each stored signature has exactly one confirmation email queued");
    const storedEmails = new Set(stored.map((row) => row.email));
    assert.deepEqual(accepted().filter((a) => !storedEmails.has(a.email)).map((a) => a.email), [], "every accepted signature is stored");
    // A request whose commit reached the disk just as the connection was cut gets a 503 yet is
    // stored (the person is told "already signed" if they retry): at most one per connection.
    const storedButNotAccepted = stored.length - accepted().length;
    assert.ok(storedButNotAccepted >= 0 && storedButNotAccepted <= connections, `${storedButNotAccepted} stored signatures were answered 503`);

    t.diagnostic(
      `${accepted().length} accepted, ${unavailable.length} answered 503 over ${((backAt - stoppedAt) / 1000).toFixed(1)} s down; ` +
        `serving again ${recoverySeconds.toFixed(1)} s after Postgres was back; ${storedButNotAccepted} stored but answered 503`,
    );
  } finally {
    loadRunning = false;
    await Promise.all([...signers, healthChecks]);
  }
});

test("workers sending email through a Postgres restart: a worker that dies of it is started again, and every email goes out", async (t) => {
  const inbox = await startTestInbox({ delayEachMessageMs: 100 });
  try {
    const appeal = await createTestAppeal(db, { proofOfWork: "OFF" });
    const emails = Array.from({ length: 150 }, (_, index) => `through${index}@example.org`);
    for (const email of emails) {
      const validated = validateSignature({ fullName: "Patient Signer", email, acceptPrivacy: "on" });
      assert.ok(validated.ok);
      await signAppeal(db, appeal.id, validated.input, { locale: "en" });
    }
    const env = { ...burstSigningEnv({ databaseUrl: postgres.url, smtpUrl: inbox.url, sessionSecret: secret }), WORKER_CONCURRENCY: String(workerConcurrency) };
    const workers = [await processes.start("worker", env), await processes.start("worker", env)].map((started) => started.process);
    const delivered = async () => {
      const received = new Map<string, number>();
      for (const message of await inbox.messages()) if (message.to.startsWith("through")) received.set(message.to, (received.get(message.to) ?? 0) + 1);
      return received;
    };
    await waitFor(async () => (await delivered()).size >= 20, "sending under way");

    await postgres.stop();
    const stoppedAt = Date.now();
    // The outage itself: longer than a worker waits before taking another's free lock for a death (5 s).
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    postgres = await startPostgres(postgres.port);

    // graphile-worker 0.17 lets a job's completion that meets a closed connection go unhandled,
    // and Node ends the process: a supervisor starts it again, as this test does.
    let died = 0;
    const superviseWorkers = async () => {
      for (const [slot, worker] of workers.entries()) {
        if (worker.child.exitCode === null) continue;
        died++;
        workers[slot] = (await processes.start("worker", env)).process;
      }
    };
    await waitFor(
      async () => {
        await superviseWorkers();
        return (await delivered()).size === emails.length;
      },
      "every confirmation email",
      60_000,
    );
    const twice = [...(await delivered())].filter(([, count]) => count > 1);
    assert.ok(twice.length <= died * workerConcurrency, `${twice.length} emails went out twice; at most one per job in flight in a worker that died`);
    assert.ok(twice.every(([, count]) => count === 2));
    t.diagnostic(`${emails.length} emails through a ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s window with a 7 s outage; ${died} of 2 workers died of it; ${twice.length} sent twice`);
  } finally {
    await inbox.stop();
  }
});
