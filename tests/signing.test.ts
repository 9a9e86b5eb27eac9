import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findSignableAppeal } from "~/domain/appeals";
import { getSignatureCounts } from "~/domain/counts";
import { listPublicSigners } from "~/domain/signers";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { confirmSignature, maxEmailsPerSignature, signAppeal, validateSignature, type HoldReason, type SignatureInput } from "~/domain/signatures";
import { PrismaClient } from "~/generated/prisma/client";
import { createDatabaseClient } from "~/infra/db.server";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest, type TestDatabase } from "./support/database";
import { confirmationToken, deliverQueuedEmail, useInbox } from "./support/mail";

function input(overrides: Partial<Record<string, string>> = {}): SignatureInput {
  const validated = validateSignature({ fullName: "Ana Souza", email: "ana@example.org", acceptPrivacy: "on", ...overrides });
  if (!validated.ok) throw new Error(`test input invalid: ${JSON.stringify(validated.fieldErrors)}`);
  return validated.input;
}

async function queuedJobs(t: TestDatabase) {
  return t.db.$queryRaw<{ task_identifier: string; payload: { signatureId: string; kind: string } }[]>`
    SELECT t.identifier AS task_identifier, j.payload
    FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    ORDER BY j.id`;
}

describe("signing an appeal", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  test("a new signature waits for confirmation: queued email, not counted, not listed", async () => {
    const appeal = await createTestAppeal(t.db);
    const outcome = await signAppeal(t.db, appeal.id, input({ showPublicly: "on" }), { locale: "en" });

    assert.equal(outcome.emailQueued, "confirm-signature");
    const signature = await t.db.signature.findUniqueOrThrow({ where: { id: outcome.signatureId } });
    assert.equal(signature.status, "PENDING");
    assert.equal(signature.emailCanonical, "ana@example.org");
    assert.deepEqual(
      (await queuedJobs(t)).map((job) => [job.task_identifier, job.payload.kind, job.payload.signatureId]),
      [["send_signature_email", "confirm-signature", outcome.signatureId]],
    );
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
    assert.equal((await listPublicSigners(t.db, appeal.id, { limit: 10 })).signers.length, 0);
  });

  test("the signature and its email job commit together or not at all", async () => {
    const appeal = await createTestAppeal(t.db);
    // Without the queue's function the job cannot be written; the signature must not survive alone.
    await t.db.$executeRawUnsafe("ALTER FUNCTION graphile_worker.add_jobs RENAME TO add_jobs_gone");
    await assert.rejects(signAppeal(t.db, appeal.id, input(), { locale: "en" }));
    assert.equal(await t.db.signature.count(), 0);
  });

  test("signatures arriving together are written together: each once, with one email job; the same address twice in a batch is one submission; a held one queues nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const emails = Array.from({ length: 60 }, (_, index) => `batch${index}@example.org`);
    const outcomes = await Promise.all([
      ...emails.map((email) => signAppeal(t.db, appeal.id, input({ email }), { locale: "en" })),
      signAppeal(t.db, appeal.id, input({ email: "BATCH7@example.org", fullName: "Batch Seven Again" }), { locale: "en" }),
      signAppeal(t.db, appeal.id, input({ email: "held@example.org" }), { locale: "en", holdReason: "too-fast" }),
    ]);
    const [repeat, held] = outcomes.slice(emails.length);
    assert.equal(new Set(outcomes.slice(0, emails.length).map((outcome) => outcome.signatureId)).size, emails.length, "a row for each address");
    assert.equal(repeat!.signatureId, outcomes[7]!.signatureId, "the repeat is the same signer");
    assert.deepEqual(held, { signatureId: held!.signatureId, emailQueued: null, held: "too-fast" });
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } }), emails.length);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, status: "HELD" } }), 1);
    const jobs = await queuedJobs(t);
    // Sent twice at one moment (a double click, or a prober's pair): one email, as for an address that had signed before.
    assert.equal(jobs.length, emails.length, "one confirmation each");
    assert.equal(jobs.filter((job) => job.payload.signatureId === repeat!.signatureId).length, 1);
    assert.equal(repeat!.emailQueued, null);
    assert.ok(!jobs.some((job) => job.payload.signatureId === held!.signatureId), "nothing is sent about a held signature");
    // Written in fewer transactions than signatures: group commit happened.
    const [written] = await t.db.$queryRaw<{ transactions: bigint }[]>`SELECT count(DISTINCT xmin::text) AS transactions FROM "Signature" WHERE "appealId" = ${appeal.id}::uuid`;
    assert.ok(written!.transactions < 20n, `${written!.transactions} transactions for ${emails.length + 1} signatures`);
  });

  test("a batch whose jobs cannot be written stores none of its signatures", async () => {
    const appeal = await createTestAppeal(t.db);
    await t.db.$executeRawUnsafe("ALTER FUNCTION graphile_worker.add_job RENAME TO add_job_gone");
    await t.db.$executeRawUnsafe("ALTER FUNCTION graphile_worker.add_jobs RENAME TO add_jobs_gone");
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => signAppeal(t.db, appeal.id, input({ email: `gone${index}@example.org` }), { locale: "en" })));
    assert.deepEqual(settled.map((result) => result.status), Array.from({ length: 20 }, () => "rejected"));
    assert.equal(await t.db.signature.count(), 0);
  });

  test("appeals looked up at once, as under load, each come back as their own: open, closed, draft and unknown ones", async () => {
    const open = await createTestAppeal(t.db);
    const closed = await createTestAppeal(t.db, { status: "CLOSED" });
    const draft = await createTestAppeal(t.db, { status: "DRAFT" });
    const slugs = [open.slug, closed.slug, draft.slug, "no-such-appeal", open.slug, "../not a slug", closed.slug, open.slug];
    const found = await Promise.all(slugs.map((slug) => findSignableAppeal(t.db, slug)));
    assert.deepEqual(
      found.map((appeal) => appeal && { id: appeal.id, slug: appeal.slug, acceptsSignatures: appeal.acceptsSignatures }),
      [
        { id: open.id, slug: open.slug, acceptsSignatures: true },
        { id: closed.id, slug: closed.slug, acceptsSignatures: false },
        null,
        null,
        { id: open.id, slug: open.slug, acceptsSignatures: true },
        null,
        { id: closed.id, slug: closed.slug, acceptsSignatures: false },
        { id: open.id, slug: open.slug, acceptsSignatures: true },
      ],
    );
  });

  test("the same address in other capitals and spaces is the same signer: one signature, a fresh confirmation email", async () => {
    const appeal = await createTestAppeal(t.db);
    const first = await signAppeal(t.db, appeal.id, input({ email: "ana@example.org" }), { locale: "en" });
    const second = await signAppeal(t.db, appeal.id, input({ email: "  ANA@Example.ORG ", fullName: "Ana M. Souza" }), {
      locale: "en",
    });

    assert.equal(second.signatureId, first.signatureId);
    assert.equal(second.emailQueued, "confirm-signature");
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id } }), 1);
    // The latest details are what the person confirms.
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: first.signatureId } })).fullName, "Ana M. Souza");
  });

  test("signing again after confirming sends an 'already signed' email and counts nothing twice", async () => {
    const appeal = await createTestAppeal(t.db);
    await signAppeal(t.db, appeal.id, input(), { locale: "en" });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const [confirmation] = (await inbox.messages()).filter((m) => m.to === "ana@example.org" && m.text.includes(appeal.title));
    assert.ok(confirmation, "confirmation email received");
    await confirmSignature(t.db, confirmationToken(confirmation), "en");

    const again = await signAppeal(t.db, appeal.id, input({ email: "Ana@Example.org" }), { locale: "en" });
    assert.equal(again.emailQueued, "already-signed");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const notices = (await inbox.messages()).filter((m) => m.subject.startsWith("You have already signed") && m.text.includes(appeal.title));
    assert.equal(notices.length, 1);
    assert.doesNotMatch(notices[0]!.text, /\/confirm\//, "the notice carries no confirmation link");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 0 });
  });

  test(`no address gets more than ${maxEmailsPerSignature} emails about one signature`, async () => {
    const appeal = await createTestAppeal(t.db);
    const outcomes = [];
    for (let attempt = 0; attempt < maxEmailsPerSignature + 3; attempt++) {
      outcomes.push(await signAppeal(t.db, appeal.id, input(), { locale: "en" }));
    }
    assert.equal(outcomes.filter((o) => o.emailQueued !== null).length, maxEmailsPerSignature);
    assert.equal((await queuedJobs(t)).length, maxEmailsPerSignature);
  });

  test("concurrent submissions of one address yield one signature", async () => {
    const appeal = await createTestAppeal(t.db);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => signAppeal(t.db, appeal.id, input({ email: "race@example.org" }), { locale: "en" })),
    );
    assert.equal(new Set(outcomes.map((o) => o.signatureId)).size, 1);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id } }), 1);
  });

  test("an address that has signed is answered by the same one statement as a new one, so the time taken does not tell them apart", async () => {
    const appeal = await createTestAppeal(t.db);
    const states = { pending: "PENDING", confirmed: "CONFIRMED", withdrawn: "WITHDRAWN", invalidated: "INVALIDATED", maxed: "PENDING" } as const;
    for (const [name, status] of Object.entries(states)) {
      await signAppeal(t.db, appeal.id, input({ email: `${name}@example.org` }), { locale: "en" });
      await t.db.signature.updateMany({
        where: { emailCanonical: `${name}@example.org` },
        data: { status, invalidatedFrom: status === "INVALIDATED" ? "CONFIRMED" : null, emailsSent: name === "maxed" ? maxEmailsPerSignature : 1 },
      });
    }
    // A client of its own, which reports every statement it sends.
    const watched = new PrismaClient({ adapter: new PrismaPg({ connectionString: t.url }), log: [{ emit: "event", level: "query" }] });
    const statements: string[] = [];
    watched.$on("query", (event) => statements.push(event.query.replace(/\s+/g, " ").slice(0, 60)));
    try {
      const submissions: [string, HoldReason | null, string | null][] = [
        ["new@example.org", null, "confirm-signature"],
        ["pending@example.org", null, "confirm-signature"],
        ["confirmed@example.org", null, "already-signed"],
        ["withdrawn@example.org", null, "confirm-signature"],
        ["invalidated@example.org", null, "already-signed"],
        ["maxed@example.org", null, null],
        // The probe that sends no email: a held submission, for an address new or known.
        ["stranger@example.org", "no-form", null],
        ["confirmed@example.org", "no-form", null],
      ];
      for (const [email, holdReason, emailQueued] of submissions) {
        statements.length = 0;
        const outcome = await signAppeal(watched, appeal.id, input({ email }), { locale: "en", holdReason });
        assert.equal(outcome.emailQueued, emailQueued, email);
        assert.deepEqual(statements.length, 1, `${email}${holdReason ? ", held" : ""}: ${statements.join(" | ")}`);
      }
    } finally {
      await watched.$disconnect();
    }
  });

  test("the statements of the signing path are prepared once per connection and then only executed", async () => {
    const appeal = await createTestAppeal(t.db);
    // One connection, so the statements it prepared can be listed on it.
    const single = createDatabaseClient(t.url, { maxConnections: 1 });
    try {
      for (const email of ["first@example.org", "second@example.org", "first@example.org"]) await signAppeal(single, appeal.id, input({ email }), { locale: "en" });
      const prepared = await single.$queryRaw<{ name: string }[]>`SELECT name FROM pg_prepared_statements ORDER BY name`;
      assert.deepEqual(prepared.map((row) => row.name), ["write-submissions"]);
    } finally {
      await single.$disconnect();
    }
  });

  test("a held submission sent at the same moment as a clean one for the same address does not stand in for it", async () => {
    const appeal = await createTestAppeal(t.db);
    await signAppeal(t.db, appeal.id, input({ email: "known@example.org" }), { locale: "en" });
    await t.db.signature.updateMany({ where: { emailCanonical: "known@example.org" }, data: { status: "CONFIRMED", confirmedAt: new Date() } });
    // The held ones are sent first; all four arrive within one batch (the two before them take
    // the two batches that start at once, group-commit.ts).
    const [, , ...outcomes] = await Promise.all([
      signAppeal(t.db, appeal.id, input({ email: "first@example.org" }), { locale: "en" }),
      signAppeal(t.db, appeal.id, input({ email: "second@example.org" }), { locale: "en" }),
      signAppeal(t.db, appeal.id, input({ email: "fresh@example.org" }), { locale: "en", holdReason: "no-form" }),
      signAppeal(t.db, appeal.id, input({ email: "known@example.org" }), { locale: "en", holdReason: "no-form" }),
      signAppeal(t.db, appeal.id, input({ email: "fresh@example.org", fullName: "Fresh Signer" }), { locale: "en" }),
      signAppeal(t.db, appeal.id, input({ email: "known@example.org" }), { locale: "en" }),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.emailQueued, outcome.held]),
      [
        [null, "no-form"],
        [null, "no-form"],
        ["confirm-signature", null],
        ["already-signed", null],
      ],
    );
    const fresh = await t.db.signature.findFirstOrThrow({ where: { emailCanonical: "fresh@example.org" } });
    assert.equal(fresh.status, "PENDING");
    assert.equal(fresh.fullName, "Fresh Signer");
  });

  test("a submission meeting a withdrawal that commits at that moment leaves the withdrawn signature erased and starts a new one", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId } = await signAppeal(t.db, appeal.id, input({ email: "leaving@example.org", fullName: "Leaving Signer" }), { locale: "en" });
    // A withdrawal in progress, as erasure.server.ts leaves the row: its lock held until it commits.
    const withdrawal = new pg.Client({ connectionString: t.url });
    await withdrawal.connect();
    try {
      await withdrawal.query("BEGIN");
      await withdrawal.query(`UPDATE "Signature" SET status = 'WITHDRAWN', "withdrawnAt" = now(), "fullName" = '', email = '', "emailCanonical" = 'erased:' || id WHERE id = $1`, [signatureId]);
      const submission = signAppeal(t.db, appeal.id, input({ email: "leaving@example.org", fullName: "Back Again" }), { locale: "en" });
      // The submission waits for the row, then the withdrawal commits.
      for (let tries = 0; ; tries++) {
        const { rows } = await withdrawal.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        if (rows[0].n > 0) break;
        if (tries > 500) throw new Error("the submission never waited for the withdrawal's lock");
        await new Promise((resolve) => setImmediate(resolve));
      }
      await withdrawal.query("COMMIT");
      const outcome = await submission;
      assert.notEqual(outcome.signatureId, signatureId, "a new signature, not the withdrawn one brought back");
      assert.equal(outcome.emailQueued, "confirm-signature");
    } finally {
      await withdrawal.end();
    }
    const erased = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    assert.deepEqual([erased.status, erased.fullName, erased.email], ["WITHDRAWN", "", ""]);
    const rows = await t.db.signature.findMany({ where: { appealId: appeal.id, emailCanonical: "leaving@example.org" } });
    assert.deepEqual(rows.map((row) => [row.status, row.fullName]), [["PENDING", "Back Again"]]);
  });

  test("a batch meeting a signature someone holds locked gives up on the server, and the others in it are written without waiting", async () => {
    const appeal = await createTestAppeal(t.db);
    await signAppeal(t.db, appeal.id, input({ email: "busy@example.org" }), { locale: "en" });
    // As the web process connects, with a shorter query limit: lock waits end 1 s sooner on the server.
    const web = createDatabaseClient(t.url, { timeouts: { connectMs: 3_000, queryMs: 1_500 } });
    // An organizer's bulk change holding the row, as moderation's statements do.
    const organizer = new pg.Client({ connectionString: t.url });
    await organizer.connect();
    try {
      await organizer.query("BEGIN");
      await organizer.query(`SELECT id FROM "Signature" WHERE "emailCanonical" = 'busy@example.org' FOR NO KEY UPDATE`);
      const settled = (promise: Promise<unknown>) => promise.then(() => "written", (error: unknown) => String(error));
      // Two to take the batches that start at once; the next three share one batch.
      const submissions = ["filler1", "filler2", "busy", "fresh1", "fresh2"].map((name) => settled(signAppeal(web, appeal.id, input({ email: `${name}@example.org` }), { locale: "en" })));
      // Still holding the lock: the fresh ones are written all the same, the busy one gives up.
      const [, , busy, fresh1, fresh2] = await Promise.all(submissions);
      assert.deepEqual([fresh1, fresh2], ["written", "written"]);
      assert.match(busy!, /lock timeout/i);
      await organizer.query("COMMIT");
    } finally {
      await organizer.end();
      await web.$disconnect();
    }
    // What gave up was rolled back on the server, not left to commit unseen: the busy address got no second email.
    const busy = await t.db.signature.findFirstOrThrow({ where: { emailCanonical: "busy@example.org" } });
    assert.equal(busy.emailsSent, 1);
    assert.equal((await queuedJobs(t)).filter((job) => job.payload.signatureId === busy.id).length, 1);
  });

  test("names in any script, with emoji or markup, are stored exactly as typed", async () => {
    const appeal = await createTestAppeal(t.db);
    const names = ["Жасарал Қуанышалин", "مريم الحسيني", "Zoë 🌻 O'Brien", "<img src=x onerror=alert(1)>"];
    for (const [index, fullName] of names.entries()) {
      const { signatureId } = await signAppeal(t.db, appeal.id, input({ fullName, email: `n${index}@example.org` }), {
        locale: "en",
      });
      assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } })).fullName, fullName);
    }
  });
});

describe("validating the sign form", () => {
  test("name and email are required; the email must look like one", () => {
    const result = validateSignature({ fullName: "  ", email: "not-an-email", acceptPrivacy: "on" });
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.fieldErrors, {
      fullName: { id: "errors.fullNameRequired" },
      email: { id: "errors.emailInvalid" },
    });
  });

  test("an empty email asks for one rather than calling it malformed", () => {
    const result = validateSignature({ fullName: "Ana", email: "", acceptPrivacy: "on" });
    assert.deepEqual(!result.ok && result.fieldErrors.email, { id: "errors.emailRequired" });
  });

  test("comments are limited to 500 characters, and the limit is reported", () => {
    const ok = validateSignature({ fullName: "Ana", email: "a@example.org", acceptPrivacy: "on", comment: "x".repeat(500) });
    assert.equal(ok.ok, true);
    const tooLong = validateSignature({ fullName: "Ana", email: "a@example.org", acceptPrivacy: "on", comment: "x".repeat(501) });
    assert.deepEqual(!tooLong.ok && tooLong.fieldErrors.comment, { id: "errors.commentTooLong", max: 500 });
  });

  test("privacy agreement is required; unknown countries are refused; optional fields may be empty", () => {
    const result = validateSignature({ fullName: "Ana", email: "a@example.org", country: "XX" });
    assert.deepEqual(!result.ok && Object.keys(result.fieldErrors).sort(), ["acceptPrivacy", "country"]);
    const minimal = validateSignature({ fullName: "Ana", email: "a@example.org", acceptPrivacy: "on", role: "", city: "", country: "" });
    assert.ok(minimal.ok);
    assert.equal(minimal.input.role, null);
    assert.equal(minimal.input.country, null);
    assert.equal(minimal.input.showPublicly, false, "not listed unless asked");
    assert.equal(minimal.input.wantsUpdates, false, "no updates unless asked");
  });
});

describe("cleaning what was typed", () => {
  test("control characters such as NUL are dropped; line breaks in comments stay", () => {
    const result = validateSignature({
      fullName: "Ana\u0000 Souza\u0007",
      email: "ana@example.org",
      comment: "line one\nline two\u001b",
      acceptPrivacy: "on",
    });
    assert.ok(result.ok);
    assert.equal(result.input.fullName, "Ana Souza");
    assert.equal(result.input.comment, "line one\nline two");
  });
});
