/**
 * The mail server goes down (connections refused) while people sign: every signature is still
 * accepted at once, its email waits in the queue and is retried with backoff, and once the mail
 * server is back every signer gets exactly one confirmation email. (A mail server refusing an
 * address for good, 5xx, is tested in email-delivery.test.ts.)
 *
 *   npm run build && node --import tsx --test tests/smtp-outage.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { taskNames } from "~/infra/queue/outbox.server";
import { createTestAppeal } from "./support/appeals";
import { useBurstSigningDeployment } from "./support/deployment";
import { waitFor } from "./support/wait";

const secret = "smtp-outage-secret-0123456789abcdef0123";
const signers = 100;
const signedBeforeTheOutage = 20;
const deployment = useBurstSigningDeployment(secret);
const { start } = deployment;

async function sign(server: string, slug: string, from: number, to: number): Promise<number[]> {
  const formIssuedAt = issueFormToken(secret, Date.now() - 10_000);
  const statuses: number[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = next++; index < to; index = next++) {
        const response = await fetch(`${server}/appeals/${slug}?index`, {
          method: "POST",
          redirect: "manual",
          headers: { "Sec-Fetch-Site": "same-origin" },
          body: new URLSearchParams({ fullName: `Patient Signer ${index}`, email: `patient${index}@example.org`, acceptPrivacy: "on", formIssuedAt }),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }),
  );
  return statuses;
}

async function deliveries(): Promise<Map<string, number>> {
  const received = new Map<string, number>();
  for (const message of await deployment.inbox.messages()) if (/^patient\d+@example\.org$/.test(message.to)) received.set(message.to, (received.get(message.to) ?? 0) + 1);
  return received;
}

const queuedJobs = async () =>
  deployment.database.db.$queryRaw<{ attempts: number; last_error: string | null }[]>`SELECT attempts, last_error FROM graphile_worker._private_jobs WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = ${taskNames.sendSignatureEmail})`;

test(`SMTP down while ${signers} people sign: every signature is accepted, and once SMTP is back each signer gets one email`, async (t) => {
  const appeal = await createTestAppeal(deployment.database.db, { proofOfWork: "OFF" });
  const server = await start("server");
  await start("worker");

  const before = await sign(server, appeal.slug, 0, signedBeforeTheOutage);
  await waitFor(async () => (await deliveries()).size === signedBeforeTheOutage, "the emails sent before the outage");

  await deployment.inbox.goDown();
  const wentDown = Date.now();
  const during = await sign(server, appeal.slug, signedBeforeTheOutage, signers);
  assert.deepEqual([...before, ...during].filter((status) => status !== 303), [], "every signature was accepted");
  assert.equal(await deployment.database.db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } }), signers);

  // Each email of the outage was tried, failed, and waits for its retry; the outage lasts until
  // retries fail too.
  const outageSignatures = signers - signedBeforeTheOutage;
  await waitFor(async () => {
    const jobs = await queuedJobs();
    return jobs.length === outageSignatures && jobs.every((job) => job.attempts >= 1 && job.last_error !== null) && jobs.some((job) => job.attempts >= 2);
  }, "every email of the outage to fail, and a retry too");
  assert.match((await queuedJobs())[0]?.last_error ?? "", /ECONNREFUSED/);
  assert.equal((await deliveries()).size, signedBeforeTheOutage, "nothing was delivered while SMTP was down");

  await deployment.inbox.resume();
  const cameBack = Date.now();
  await waitFor(async () => (await deliveries()).size === signers, "every confirmation email after the outage", 60_000);
  const deliveredAfterSeconds = (Date.now() - cameBack) / 1000;
  await waitFor(async () => (await queuedJobs()).length === 0, "the queue to empty");

  const received = await deliveries();
  assert.deepEqual([...received].filter(([, count]) => count !== 1), [], "nobody got two emails");
  assert.equal(await deployment.database.db.signature.count({ where: { appealId: appeal.id, emailRejectedAt: { not: null } } }), 0, "an outage is not a rejection");
  t.diagnostic(`SMTP down ${((cameBack - wentDown) / 1000).toFixed(1)} s; all ${outageSignatures} waiting emails delivered ${deliveredAfterSeconds.toFixed(1)} s after it came back`);
});
