/**
 * A worker process killed (SIGKILL: out of memory, a crash, a host taken away) in the middle
 * of sending confirmation emails: no email is lost, the jobs it was running are taken over
 * within seconds (graphile-worker alone would wait 4 hours), and a worker that is still alive
 * keeps its own jobs. An email whose sending finished but whose job was not yet marked done at
 * the kill may go out twice (at-least-once delivery, decision 013); nothing else does.
 *
 *   npm run build && node --import tsx --test tests/worker-killed.test.ts
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { signAppeal, validateSignature } from "~/domain/signatures";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { startTestInbox, type TestInbox } from "./support/mail";
import { builtProcesses, type Started } from "./support/processes";
import { waitFor } from "./support/wait";

const concurrency = 5;
let database: TestDatabase;
const inboxes: TestInbox[] = [];
const processes = builtProcesses();

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await processes.stopAll();
  for (const inbox of inboxes) await inbox.stop();
  await database.drop();
});

/** A mail server that takes `delayMs` to accept each message, so a batch is always in flight. */
async function slowInbox(delayMs: number): Promise<TestInbox> {
  const inbox = await startTestInbox({ delayEachMessageMs: delayMs });
  inboxes.push(inbox);
  return inbox;
}

async function startWorker(inbox: TestInbox): Promise<Started> {
  const { process } = await processes.start("worker", {
    DATABASE_URL: database.url,
    SMTP_URL: inbox.url,
    NODE_ENV: "test",
    SESSION_SECRET: "worker-killed-secret-0123456789abcdef",
    WORKER_CONCURRENCY: String(concurrency),
  });
  return process;
}

/** `count` pending signatures on a new appeal, each with its confirmation email queued. */
async function queueConfirmations(prefix: string, count: number): Promise<string[]> {
  const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
  const emails = Array.from({ length: count }, (_, index) => `${prefix}${index}@example.org`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = next++; index < count; index = next++) {
        const validated = validateSignature({ fullName: `Signer ${index}`, email: emails[index], acceptPrivacy: "on" });
        assert.ok(validated.ok);
        await signAppeal(database.db, appeal.id, validated.input, { locale: "en" });
      }
    }),
  );
  return emails;
}

type LockedJob = { id: string; lockedBy: string; email: string };

/** The confirmation jobs locked by the worker process `pid` (by what it recorded), and whose they are. */
async function jobsLockedBy(pid: number): Promise<LockedJob[]> {
  return database.db.$queryRaw<LockedJob[]>`
    SELECT jobs.id::text AS id, jobs.locked_by AS "lockedBy", s.email
    FROM graphile_worker._private_jobs AS jobs
    JOIN "QueueWorkerPool" AS pools ON pools."poolId" = jobs.locked_by
    JOIN "Signature" AS s ON s.id = (jobs.payload->>'signatureId')::uuid
    WHERE pools.pid = ${pid}`;
}

async function lockedByPool(jobIds: string[]): Promise<Map<string, string | null>> {
  const rows = await database.db.$queryRaw<{ id: string; lockedBy: string | null }[]>`
    SELECT id::text AS id, locked_by AS "lockedBy" FROM graphile_worker._private_jobs WHERE id = ANY(${jobIds}::bigint[])`;
  return new Map(rows.map((row) => [row.id, row.lockedBy]));
}

/** How many emails each address received, for the addresses starting with `prefix`. */
async function deliveries(inbox: TestInbox, prefix: string): Promise<Map<string, number>> {
  const received = new Map<string, number>();
  for (const message of await inbox.messages()) if (message.to.startsWith(prefix)) received.set(message.to, (received.get(message.to) ?? 0) + 1);
  return received;
}

function kill(worker: Started): number {
  const pid = worker.child.pid;
  assert.ok(pid);
  worker.child.kill("SIGKILL");
  return pid;
}

/** Each address got its email; only the jobs in flight at the kill may have gone out twice. */
function assertDeliveredOnceExceptInFlight(received: Map<string, number>, emails: string[], inFlightAtKill: LockedJob[]) {
  const missing = emails.filter((email) => !received.has(email));
  assert.deepEqual(missing, [], "every signer got a confirmation email");
  const twice = [...received].filter(([, count]) => count > 1);
  const mayRepeat = new Set(inFlightAtKill.map((job) => job.email));
  assert.deepEqual(
    twice.filter(([email, count]) => count > 2 || !mayRepeat.has(email)),
    [],
    "only an email being sent when the worker died may go out a second time, and no more",
  );
  assert.ok(twice.length <= concurrency, `${twice.length} duplicates, at most one per job in flight`);
  return twice.length;
}

test("a worker killed mid-batch: a worker started again sends every email that was left, within seconds", async (t) => {
  const inbox = await slowInbox(40);
  const emails = await queueConfirmations("killed", 300);
  const first = await startWorker(inbox);
  await waitFor(async () => (await deliveries(inbox, "killed")).size >= 40 && (await jobsLockedBy(first.child.pid!)).length > 0, "a batch in flight");
  const pid = kill(first);
  await first.finished;
  const inFlightAtKill = await jobsLockedBy(pid);
  assert.ok(inFlightAtKill.length > 0 && inFlightAtKill.length <= concurrency, `${inFlightAtKill.length} jobs in flight at the kill`);
  assert.ok((await deliveries(inbox, "killed")).size < emails.length, "the kill came before the batch was done");

  const restarted = Date.now();
  const second = await startWorker(inbox);
  await waitFor(async () => (await lockedByPool(inFlightAtKill.map((job) => job.id))).size === 0, "the killed worker's jobs to be done", 30_000);
  const recoverySeconds = (Date.now() - restarted) / 1000;
  assert.ok(recoverySeconds < 15, `its jobs were done ${recoverySeconds} s after the new worker started`);

  await waitFor(async () => (await deliveries(inbox, "killed")).size === emails.length, "every confirmation email", 60_000);
  await waitFor(async () => (await database.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs`)[0]?.n === 0n, "the queue to empty");
  const duplicates = assertDeliveredOnceExceptInFlight(await deliveries(inbox, "killed"), emails, inFlightAtKill);
  assert.equal(await database.db.queueWorkerPool.count({ where: { pid } }), 0, "the dead worker is forgotten");
  t.diagnostic(`${inFlightAtKill.length} jobs in flight at the kill, done ${recoverySeconds.toFixed(1)} s after the restart, ${duplicates} sent twice`);

  // A worker that stops cleanly forgets itself: nobody takes that for a death.
  assert.equal((await second.stop()).code, 0);
  assert.equal(await database.db.queueWorkerPool.count(), 0);
});

test("two workers, one killed: a third takes over the dead one's jobs and leaves the live one's alone", async (t) => {
  const inbox = await slowInbox(1_000);
  const emails = await queueConfirmations("pair", 100);
  const alive = await startWorker(inbox);
  const doomed = await startWorker(inbox);
  await waitFor(async () => (await jobsLockedBy(alive.child.pid!)).length > 0 && (await jobsLockedBy(doomed.child.pid!)).length > 0, "both workers busy");
  const pid = kill(doomed);
  await doomed.finished;
  const killedAt = Date.now();
  const inFlightAtKill = await jobsLockedBy(pid);
  assert.ok(inFlightAtKill.length > 0);

  // Every job the live worker locks stays locked by it until it is done (deleted), whatever the
  // new worker does: were one unlocked, it could be sent twice.
  const seenLockedByLiveWorker = new Map<string, string>();
  const violations: string[] = [];
  const watchLiveWorker = async () => {
    for (const job of await jobsLockedBy(alive.child.pid!)) seenLockedByLiveWorker.set(job.id, job.lockedBy);
    for (const [id, lockedBy] of await lockedByPool([...seenLockedByLiveWorker.keys()])) {
      if (lockedBy !== seenLockedByLiveWorker.get(id)) violations.push(`job ${id}: locked by ${lockedBy ?? "nobody"}`);
    }
  };
  await startWorker(inbox);
  await waitFor(
    async () => {
      await watchLiveWorker();
      return (await lockedByPool(inFlightAtKill.map((job) => job.id))).size === 0;
    },
    "the killed worker's jobs to be done",
    30_000,
  );
  const recoverySeconds = (Date.now() - killedAt) / 1000;
  await waitFor(
    async () => {
      await watchLiveWorker();
      return (await deliveries(inbox, "pair")).size === emails.length;
    },
    "every confirmation email",
    60_000,
  );
  assert.deepEqual(violations, [], "no job of the live worker was unlocked");
  assert.ok(seenLockedByLiveWorker.size > 0);
  const duplicates = assertDeliveredOnceExceptInFlight(await deliveries(inbox, "pair"), emails, inFlightAtKill);
  assert.equal(alive.child.exitCode, null, "the live worker is still running");
  t.diagnostic(`two workers: ${inFlightAtKill.length} jobs of the killed one done ${recoverySeconds.toFixed(1)} s after the kill, ${duplicates} sent twice`);
});
