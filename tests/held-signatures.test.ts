/**
 * Signatures that are held rather than refused: over a limit, on the block list, or sent faster
 * than a person can fill the form. The person (or bot) always gets the same answer; nothing is
 * counted, listed or emailed until an organizer releases them.
 *
 *   node --import tsx --test tests/held-signatures.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { addBlockedSigner, isBlocked } from "~/domain/block-list.server";
import { getSignatureCounts } from "~/domain/counts";
import { issueFormToken } from "~/domain/form-timing.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import { listPublicSigners } from "~/domain/signers";
import { addressForLimits, createSigningLimitCounter, type SigningLimits } from "~/domain/signing-limits.server";
import { discardHeldSignatures, releaseHeldSignatures, submitSignature, type SubmissionChecks } from "~/domain/signatures";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest, type TestDatabase } from "./support/database";
import { deliverQueuedEmail, useInbox } from "./support/mail";
import { waitFor } from "./support/wait";

const secret = "test-secret";
const generous: SigningLimits = { perAddressPerMinute: 100, perAddressPerHour: 1000, perEmailPerHour: 100, perAddressSitePerHour: 10000 };

function checks(t: TestDatabase, limits: SigningLimits = generous): SubmissionChecks {
  return { limits: createSigningLimitCounter(t.db, limits, secret), secret, minimumFillTimeMs: 2_000 };
}

/** A form as a person sends it: loaded ten seconds ago. */
function form(fields: Record<string, string>, issuedAgoMs = 10_000): Map<string, string> {
  return new Map(Object.entries({ acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - issuedAgoMs), ...fields }));
}

const origin = (clientAddress = "203.0.113.7") => ({ locale: "en", clientAddress, userAgent: "Mozilla/5.0 (test)" });

/** These tests are about holding; proof of work (which automatic mode asks of a busy address) has its own. */
const withoutProofOfWork = { proofOfWork: "OFF" } as const;

async function queuedEmails(t: TestDatabase): Promise<number> {
  const [row] = await t.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM graphile_worker._private_jobs`;
  return row?.count ?? 0;
}

async function anOwner(t: TestDatabase): Promise<SignedInOrganizer> {
  return t.db.organizer.create({ data: { email: "owner@example.org", emailCanonical: "owner@example.org", name: "Olga Owner", role: "OWNER" }, select: { id: true, name: true, email: true, role: true } });
}

describe("held signatures", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  test("a burst from one address past the per-minute limit: the excess is held, not counted, not emailed, and answered the same", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const limited = checks(t, { ...generous, perAddressPerMinute: 5 });
    const outcomes = [];
    for (let index = 0; index < 12; index++) {
      outcomes.push(await submitSignature(t.db, limited, appeal.slug, form({ fullName: `Colleague ${index}`, email: `colleague${index}@example.org`, showPublicly: "on" }), origin()));
    }
    assert.ok(outcomes.every((outcome) => outcome.kind === "accepted" && outcome.slug === appeal.slug), "every answer is the thanks page");
    assert.deepEqual(outcomes.map((outcome) => (outcome.kind === "accepted" ? outcome.held : "?")), [...Array(5).fill(null), ...Array(7).fill("address-minute")]);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } }), 5);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, status: "HELD", heldReason: "address-minute" } }), 7);
    assert.equal(await queuedEmails(t), 5, "held signatures send nothing");
    // Another address is not affected.
    const other = await submitSignature(t.db, limited, appeal.slug, form({ fullName: "Neighbour", email: "neighbour@example.org" }), origin("198.51.100.1"));
    assert.equal(other.kind === "accepted" && other.held, null);
  });

  test("a burst arriving all at once is counted together and still exactly: five pass, the rest are held", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const limited = checks(t, { ...generous, perAddressPerMinute: 5 });
    // Sent together, so most are counted in shared statements (group commit), one counter row for all.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) => submitSignature(t.db, limited, appeal.slug, form({ fullName: `Crowd ${index}`, email: `crowd${index}@example.org` }), origin())),
    );
    const held = outcomes.map((outcome) => (outcome.kind === "accepted" ? outcome.held : "?"));
    assert.equal(held.filter((reason) => reason === null).length, 5);
    assert.equal(held.filter((reason) => reason === "address-minute").length, 15);
    const [counter] = await t.db.$queryRaw<{ points: number }[]>`SELECT points FROM "RateLimit" WHERE key LIKE 'sign-minute:%'`;
    assert.equal(counter?.points, 20, "every submission counted once");
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } }), 5);
  });

  test("screening and the signature commit together, and a submission written again after meeting another's row is counted once", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const onePerEmail = checks(t, { ...generous, perEmailPerHour: 1 });
    const first = await submitSignature(t.db, onePerEmail, appeal.slug, form({ fullName: "Ana", email: "ana@example.org" }), origin());
    assert.equal(first.kind === "accepted" && first.held, null);
    // One transaction wrote the signature and counted it.
    const [together] = await t.db.$queryRaw<{ transactions: number }[]>`
      SELECT count(DISTINCT xmin::text)::int AS transactions FROM (SELECT xmin FROM "Signature" UNION ALL SELECT xmin FROM "RateLimit") AS written`;
    assert.equal(together?.transactions, 1);

    // Another process writes Bea's row and has not committed: her submission's statement waits on
    // it, then finds a row it could not see when it began, and is written again by a second
    // statement. Counted twice, a single submission would be over a limit of one.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO "Signature" (id, "appealId", "emailCanonical", "fullName", email, "showPublicly", "emailsSent") VALUES (gen_random_uuid(), $1, 'bea@example.org', 'Bea', 'bea@example.org', false, 1)`,
        [appeal.id],
      );
      const submission = submitSignature(t.db, onePerEmail, appeal.slug, form({ fullName: "Bea", email: "bea@example.org" }), origin("198.51.100.2"));
      await waitFor(async () => {
        const [waiting] = await t.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%write-submissions%'`;
        return waiting!.n > 0;
      }, "the submission waiting on the uncommitted row");
      await other.query("COMMIT");
      const second = await submission;
      assert.equal(second.kind === "accepted" && second.held, null, "not held: counted once");
    } finally {
      await other.end();
    }
    const counters = await t.db.$queryRaw<{ key: string; points: number }[]>`SELECT key, points FROM "RateLimit" WHERE key LIKE 'sign-email-hour:%'`;
    assert.deepEqual(counters.map((counter) => counter.points), [1, 1]);
    const bea = await t.db.signature.findFirstOrThrow({ where: { emailCanonical: "bea@example.org" } });
    assert.deepEqual([bea.status, bea.fullName, bea.emailsSent], ["PENDING", "Bea", 2], "the second statement sent her confirmation again");
  });

  test("a submission chosen to break a deadlock is written again, counted once", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Cem", email: "cem@example.org" }), origin());
    // Another transaction holds Cem's signature row, then wants the counters his next submission
    // has just locked: each waits for the other, and Postgres ends one of them.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(`SELECT id FROM "Signature" WHERE "emailCanonical" = 'cem@example.org' FOR NO KEY UPDATE`);
      const submission = submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Cem Again", email: "cem@example.org" }), origin());
      await waitFor(async () => {
        const [waiting] = await t.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%write-submissions%'`;
        return waiting!.n > 0;
      }, "the submission waiting on the held row");
      const counters = other.query(`UPDATE "RateLimit" SET points = points WHERE key LIKE 'sign-%'`).then(() => other.query("COMMIT"));
      const [outcome] = await Promise.all([submission, counters]);
      assert.equal(outcome.kind === "accepted" && outcome.held, null);
    } finally {
      await other.end();
    }
    const cem = await t.db.signature.findFirstOrThrow({ where: { emailCanonical: "cem@example.org" } });
    assert.deepEqual([cem.fullName, cem.emailsSent], ["Cem Again", 2]);
    const points = await t.db.$queryRaw<{ points: number }[]>`SELECT points FROM "RateLimit" WHERE key LIKE 'sign-email-hour:%'`;
    assert.deepEqual(points.map((row) => row.points), [2], "two submissions, counted once each");
  });

  test("limits per signer across appeals and per address across the site; an IPv6 household counts as its /64", async () => {
    const appeals = [await createTestAppeal(t.db, withoutProofOfWork), await createTestAppeal(t.db, withoutProofOfWork), await createTestAppeal(t.db, withoutProofOfWork)];
    const perEmail = checks(t, { ...generous, perEmailPerHour: 2 });
    const reasons = [];
    for (const appeal of appeals) {
      const outcome = await submitSignature(t.db, perEmail, appeal.slug, form({ fullName: "Serial Signer", email: `Serial.Signer+${appeal.slug}@GMail.com` }), origin(`198.51.100.${reasons.length + 10}`));
      reasons.push(outcome.kind === "accepted" ? outcome.held : "?");
    }
    assert.deepEqual(reasons, [null, null, "email-hour"], "one signer, however spelled, counts as one");

    const perSite = checks(t, { ...generous, perAddressSitePerHour: 2 });
    const siteReasons = [];
    for (const [index, appeal] of appeals.entries()) {
      const outcome = await submitSignature(t.db, perSite, appeal.slug, form({ fullName: `Flat ${index}`, email: `flat${index}@example.org` }), origin(`2001:db8:aa:bb::${index + 1}`));
      siteReasons.push(outcome.kind === "accepted" ? outcome.held : "?");
    }
    assert.deepEqual(siteReasons, [null, null, "address-site-hour"]);
    assert.equal(addressForLimits("2001:db8:aa:bb:1:2:3:4"), addressForLimits("2001:0db8:00aa:00bb::9"));
    assert.notEqual(addressForLimits("2001:db8:aa:bb::1"), addressForLimits("2001:db8:aa:bc::1"));
    assert.equal(addressForLimits("::ffff:203.0.113.5"), "203.0.113.5");
  });

  test("an appeal can set its own per-address limits", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    await t.db.appeal.update({ where: { id: appeal.id }, data: { signLimitPerMinute: 1 } });
    const first = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Ana", email: "ana@example.org" }), origin());
    const second = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Bea", email: "bea@example.org" }), origin());
    assert.deepEqual([first.kind === "accepted" && first.held, second.kind === "accepted" && second.held], [null, "address-minute"]);
  });

  test("block lists hold signatures by email domain (and its subdomains), canonical email, and network range", async () => {
    const owner = await anOwner(t);
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    for (const entry of [
      { kind: "EMAIL_DOMAIN", value: "@Spam.Example" },
      { kind: "EMAIL", value: "Troll.Account+x@gmail.com" },
      { kind: "NETWORK", value: "192.0.2.0/24" },
      { kind: "NETWORK", value: "2001:db8:dead::/48" },
    ]) {
      assert.deepEqual(await addBlockedSigner(t.db, owner, entry), { ok: true }, entry.value);
    }
    assert.equal((await addBlockedSigner(t.db, owner, { kind: "NETWORK", value: "300.1.1.1/8" })).ok, false);
    assert.equal((await addBlockedSigner(t.db, owner, { kind: "EMAIL_DOMAIN", value: "spam.example" })).ok, false, "already there");

    const blocked = async (email: string, clientAddress: string) => isBlocked(t.db, { emailCanonical: (await import("~/domain/email-addresses")).canonicalEmail(email), clientAddress });
    assert.equal(await blocked("bot@spam.example", "203.0.113.1"), true);
    assert.equal(await blocked("bot@mail.spam.example", "203.0.113.1"), true);
    assert.equal(await blocked("trollaccount@googlemail.com", "203.0.113.1"), true);
    assert.equal(await blocked("person@example.org", "192.0.2.77"), true);
    assert.equal(await blocked("person@example.org", "2001:db8:dead:1::5"), true);
    assert.equal(await blocked("person@example.org", "203.0.113.1"), false);
    assert.equal(await blocked("person@notspam.example", "unknown"), false, "an unreadable address matches no range and breaks nothing");
    // Asked all at once, as under load, the checks share queries, and each still gets its own answer.
    const atOnce: [string, string, boolean][] = [
      ["person@example.org", "203.0.113.1", false],
      ["bot@spam.example", "203.0.113.1", true],
      ["person@example.org", "203.0.113.2", false],
      ["person@example.org", "192.0.2.77", true],
      ["person@notspam.example", "unknown", false],
      ["trollaccount@googlemail.com", "203.0.113.1", true],
      ["person@example.org", "2001:db8:beef::1", false],
      ["person@example.org", "2001:db8:dead:1::5", true],
    ];
    assert.deepEqual(await Promise.all(atOnce.map(([email, address]) => blocked(email, address))), atOnce.map(([, , expected]) => expected));

    const outcome = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Bot", email: "bot@spam.example" }), origin());
    assert.equal(outcome.kind === "accepted" && outcome.held, "blocked");
    assert.equal(await queuedEmails(t), 0);
  });

  test("a form sent back within two seconds, or without ever being loaded, is held", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const fast = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Quick Bot", email: "quick@example.org" }, 300), origin());
    assert.equal(fast.kind === "accepted" && fast.held, "too-fast");
    const direct = await submitSignature(t.db, checks(t), appeal.slug, new Map(Object.entries({ fullName: "Direct Bot", email: "direct@example.org", acceptPrivacy: "on" })), origin());
    assert.equal(direct.kind === "accepted" && direct.held, "no-form");
    const forged = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Forger", email: "forger@example.org", formIssuedAt: `${Date.now() - 60_000}.${"A".repeat(43)}` }), origin());
    assert.equal(forged.kind === "accepted" && forged.held, "no-form", "a made-up time does not pass");
  });

  test("a filled honeypot gets the thanks page and stores nothing", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const outcome = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Form Filler", email: "filler@example.org", website: "https://spam.example" }), origin());
    assert.deepEqual(outcome, { kind: "accepted", slug: appeal.slug, signatureId: null, held: null });
    assert.equal(await t.db.signature.count(), 0);
  });

  test("a held attempt with the address of a confirmed signer changes nothing and sends nothing", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const signed = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Real Person", email: "real@example.org" }), origin());
    assert.ok(signed.kind === "accepted" && signed.signatureId);
    await t.db.$executeRaw`UPDATE "Signature" SET status = 'CONFIRMED'`;
    const before = await queuedEmails(t);
    const bot = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Impostor", email: "real@example.org" }, 100), origin());
    assert.equal(bot.kind === "accepted" && bot.held, "too-fast");
    const row = await t.db.signature.findUniqueOrThrow({ where: { id: signed.signatureId } });
    assert.equal(row.fullName, "Real Person");
    assert.equal(row.status, "CONFIRMED");
    assert.equal(await queuedEmails(t), before, "no 'already signed' email to the real person");
  });

  test("what a signature records: network address, browser, and the versions of the privacy notice and consent texts", async () => {
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const outcome = await submitSignature(t.db, checks(t), appeal.slug, form({ fullName: "Recorded", email: "recorded@example.org" }), origin("2001:db8::42"));
    assert.ok(outcome.kind === "accepted" && outcome.signatureId);
    const row = await t.db.signature.findUniqueOrThrow({ where: { id: outcome.signatureId } });
    assert.equal(row.networkAddress, "2001:db8::42");
    assert.equal(row.userAgent, "Mozilla/5.0 (test)");
    assert.match(row.privacyNoticeVersion ?? "", /^\d{4}-\d{2}-\d{2}$/);
    assert.match(row.consentTextVersion ?? "", /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(row.consentedAt && Date.now() - row.consentedAt.getTime() < 60_000);
  });

  test("an organizer releases held signatures: each gets its confirmation email; discarded ones are gone", async () => {
    const owner = await anOwner(t);
    const appeal = await createTestAppeal(t.db, withoutProofOfWork);
    const limited = checks(t, { ...generous, perAddressPerMinute: 1 });
    const ids: string[] = [];
    for (const name of ["First", "Second", "Third"]) {
      const outcome = await submitSignature(t.db, limited, appeal.slug, form({ fullName: `${name} Signer`, email: `${name.toLowerCase()}@example.org`, showPublicly: "on" }), origin());
      if (outcome.kind === "accepted" && outcome.signatureId) ids.push(outcome.signatureId);
    }
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const mailedBefore = (await inbox.messages()).map((message) => message.to);
    assert.ok(mailedBefore.includes("first@example.org") && !mailedBefore.includes("second@example.org"));

    const otherAppeal = await createTestAppeal(t.db, withoutProofOfWork);
    assert.equal(await releaseHeldSignatures(t.db, owner, otherAppeal.id, ids), 0, "only this appeal's held signatures");
    assert.equal(await releaseHeldSignatures(t.db, owner, appeal.id, [ids[1]!, ids[0]!]), 1, "only held ones");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.ok((await inbox.messages()).some((message) => message.to === "second@example.org" && message.subject.startsWith("Confirm your signature")));
    assert.equal(await discardHeldSignatures(t.db, owner, appeal.id, [ids[2]!]), 1);
    assert.equal(await t.db.signature.count({ where: { id: ids[2]! } }), 0);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
    assert.equal((await listPublicSigners(t.db, appeal.id, { limit: 10 })).signers.length, 0);
  });
});
