/**
 * Proof of work on the sign form (ALTCHA, self-hosted): the server's own challenges, solved as
 * the browser widget solves them, verified once.
 *
 *   node --import tsx --test tests/proof-of-work.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { issueFormToken } from "~/domain/form-timing.server";
import { challengeLifetimeMs, createProofOfWorkChallenge, verifyProofOfWork } from "~/domain/proof-of-work.server";
import { submitSignature } from "~/domain/signatures";
import { createSigningLimitCounter } from "~/domain/signing-limits.server";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";

const secret = "proof-of-work-test-secret";

/** What the widget puts in the form: base64 of the challenge and its solution. */
async function solvedPayload(options: { issuedAt?: number; appSecret?: string } = {}): Promise<string> {
  const challenge = await createProofOfWorkChallenge(options.appSecret ?? secret, options.issuedAt);
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.ok(solution, "the challenge can be solved");
  return Buffer.from(JSON.stringify({ challenge, solution })).toString("base64");
}

describe("proof of work", () => {
  const t = useDatabasePerTest();

  test("a valid solution passes once; the same one again is refused", async () => {
    const payload = await solvedPayload();
    assert.equal(await verifyProofOfWork(t.db, secret, payload), "ok");
    assert.equal(await verifyProofOfWork(t.db, secret, payload), "reused");
  });

  test("two solutions sent at once for one challenge: one passes", async () => {
    const payload = await solvedPayload();
    const verdicts = await Promise.all([verifyProofOfWork(t.db, secret, payload), verifyProofOfWork(t.db, secret, payload)]);
    assert.deepEqual(verdicts.sort(), ["ok", "reused"]);
  });

  test("an expired challenge is refused, even solved", async () => {
    const payload = await solvedPayload({ issuedAt: Date.now() - challengeLifetimeMs - 60_000 });
    assert.equal(await verifyProofOfWork(t.db, secret, payload), "expired");
  });

  test("a challenge signed with another secret, a wrong answer, garbage and nothing are refused", async () => {
    assert.equal(await verifyProofOfWork(t.db, secret, await solvedPayload({ appSecret: "someone else's secret" })), "invalid");
    // The answer is the derived key the counter leads to: a different key is a wrong answer.
    const good = JSON.parse(Buffer.from(await solvedPayload(), "base64").toString("utf8")) as { solution: { derivedKey: string } };
    good.solution.derivedKey = good.solution.derivedKey.replace(/^./, (digit) => (digit === "0" ? "1" : "0"));
    assert.equal(await verifyProofOfWork(t.db, secret, Buffer.from(JSON.stringify(good)).toString("base64")), "invalid");
    assert.equal(await verifyProofOfWork(t.db, secret, "not base64 json"), "invalid");
    assert.equal(await verifyProofOfWork(t.db, secret, "x".repeat(20_000)), "invalid");
    assert.equal(await verifyProofOfWork(t.db, secret, ""), "missing");
    assert.equal(await verifyProofOfWork(t.db, secret, null), "missing");
  });
});

describe("proof of work on the sign form", () => {
  const t = useDatabasePerTest();
  const limits = { perAddressPerMinute: 4, perAddressPerHour: 100, perEmailPerHour: 100, perAddressSitePerHour: 1000 };

  async function submit(slug: string, index: number, extra: Record<string, string> = {}) {
    const checks = { limits: createSigningLimitCounter(t.db, limits, secret), secret, minimumFillTimeMs: 0 };
    const form = new Map(Object.entries({ fullName: `Signer ${index}`, email: `signer${index}@example.org`, acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - 10_000), ...extra }));
    return submitSignature(t.db, checks, slug, form, { locale: "en", clientAddress: "203.0.113.40", userAgent: null });
  }

  test("always: without a solution the form says so and nothing is stored; with one it goes through, once", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "ALWAYS" });
    assert.deepEqual(await submit(appeal.slug, 1), { kind: "proofOfWorkNeeded", fields: { fullName: "Signer 1", email: "signer1@example.org", acceptPrivacy: "on" }, problem: "missing" });
    assert.equal(await t.db.signature.count(), 0);
    const payload = await solvedPayload();
    assert.equal((await submit(appeal.slug, 2, { altcha: payload })).kind, "accepted");
    assert.equal((await submit(appeal.slug, 3, { altcha: payload })).kind, "proofOfWorkNeeded", "a used solution does not serve twice");
  });

  test("automatic: not asked of a quiet address; asked once the address is past half of a limit", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "AUTOMATIC" });
    assert.equal((await submit(appeal.slug, 1)).kind, "accepted");
    assert.equal((await submit(appeal.slug, 2)).kind, "accepted");
    const third = await submit(appeal.slug, 3);
    assert.equal(third.kind === "proofOfWorkNeeded" && third.problem, "missing", "2 of 4 per minute: half way");
    assert.equal((await submit(appeal.slug, 4, { altcha: await solvedPayload() })).kind, "accepted");
  });

  test("off: never asked", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    for (let index = 0; index < 4; index++) assert.equal((await submit(appeal.slug, index)).kind, "accepted");
  });
});
