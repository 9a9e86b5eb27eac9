/**
 * A burst of signatures through two web processes, with a separate worker sending the email, as
 * a deployment runs them: nothing is lost, nothing is sent twice, and the count is exact.
 *
 *   npm run build && node --import tsx --test tests/signing-under-load.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { issueFormToken } from "~/domain/form-timing.server";
import { createTestAppeal } from "./support/appeals";
import { confirmationToken } from "./support/mail";
import { useBurstSigningDeployment } from "./support/deployment";
import { waitFor } from "./support/wait";

const secret = "signing-under-load-secret-0123456789abcdef";
const signers = 200;
const connections = 32;
const deployment = useBurstSigningDeployment(secret);
const { start } = deployment;

/** Runs `work` for 0…count-1 on `connections` loops at once. */
async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let index = next++; index < count; index = next++) await work(index);
    }),
  );
}

test(`${signers} signatures at once through two web processes: each stored once, emailed once by a separate worker, confirmed and counted exactly`, async () => {
  const appeal = await createTestAppeal(deployment.database.db, { proofOfWork: "OFF" });
  const servers = [await start("server"), await start("server")];
  await start("worker");

  const statuses = new Map<number, number>();
  const formIssuedAt = issueFormToken(secret, Date.now() - 10_000);
  await inParallel(signers, async (index) => {
    const response = await fetch(`${servers[index % 2]}/appeals/${appeal.slug}?index`, {
      method: "POST",
      redirect: "manual",
      headers: { "Sec-Fetch-Site": "same-origin" },
      body: new URLSearchParams({ fullName: `Load Signer ${index}`, email: `load${index}@example.org`, acceptPrivacy: "on", showPublicly: index % 2 ? "on" : "", formIssuedAt }),
    });
    await response.arrayBuffer();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  });
  assert.deepEqual(Object.fromEntries(statuses), { 303: signers }, "every signature was answered as accepted");
  assert.equal(await deployment.database.db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } }), signers, "one row for each answer");

  // The worker sends one confirmation email per signature, and no more.
  const mailTo = async () => (await deployment.inbox.messages()).filter((message) => /^load\d+@example\.org$/.test(message.to));
  await waitFor(async () => (await mailTo()).length >= signers, `${signers} confirmation emails`, 60_000);
  const messages = await mailTo();
  assert.equal(new Set(messages.map((message) => message.to)).size, signers, "each signer got one email");
  assert.equal(messages.length, signers, "nobody got two");
  await waitFor(async () => (await deployment.database.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs`)[0]?.n === 0n, "the queue to empty");

  // Every link pressed once, through either process: the count is exact.
  await inParallel(messages.length, async (index) => {
    const response = await fetch(`${servers[index % 2]}/confirm/${confirmationToken(messages[index]!)}`, {
      method: "POST",
      headers: { "Sec-Fetch-Site": "same-origin" },
    });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  });
  assert.deepEqual(await getSignatureCounts(deployment.database.db, appeal.id), { confirmed: signers, listed: signers / 2 });
  assert.deepEqual(await recountSignatures(deployment.database.db, appeal.id), { confirmed: signers, listed: signers / 2 });
});
