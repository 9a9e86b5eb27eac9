/**
 * Postgres restarted (a fast shutdown, as `systemctl restart` or a managed failover does it)
 * while people sign: while it is away each sign request gets a friendly 503 with Retry-After
 * and /healthz says 503; once it is back the app serves again by itself within seconds; and no
 * signature is half written: each stored one has its confirmation email queued, and every
 * signature answered as accepted is stored. The database is a throwaway embedded cluster of this
 * test's own, stopped and started again on the same port.
 *
 *   npm run build && node --import tsx --test tests/postgres-restart.test.ts
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { createDatabaseClient, type Database } from "~/infra/db.server";
import { applyMigrations } from "~/infra/migrations.server";
import { createLogger } from "~/infra/logger.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { taskNames } from "~/infra/queue/outbox.server";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "~/local/embedded-postgres.server";
import { createTestAppeal } from "./support/appeals";
import { builtProcesses, burstSigningEnv, hasStackTrace } from "./support/processes";
import { waitFor } from "./support/wait";

const secret = "postgres-restart-secret-0123456789abcdef";
const connections = 8;
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
