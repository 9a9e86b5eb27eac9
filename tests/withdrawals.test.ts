/**
 * Withdrawing a signature, against real Postgres and a real SMTP server: the link in every
 * email, the page that changes nothing, the button that uncounts and erases, repeats and races.
 *
 *   node --import tsx --test tests/withdrawals.test.ts
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import pg from "pg";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { listPublicSigners } from "~/domain/signers";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createToken } from "~/domain/tokens";
import { findWithdrawal, withdrawalLinkLifetimeMs, withdrawSignature } from "~/domain/withdrawals";
import { pathForLog } from "~/infra/logger.server";
import { action as withdrawAction, loader as withdrawLoader } from "~/routes/withdraw.$token";
import { createTestAppeal } from "./support/appeals";
import { testLoadContext } from "./support/context";
import { useDatabasePerTest } from "./support/database";
import { confirmationToken, deliverQueuedEmail, testPublicUrl, useInbox, withdrawalToken } from "./support/mail";
import { waitFor } from "./support/wait";

describe("withdrawing a signature", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  async function sign(appealId: string, email: string, fields: Record<string, string> = {}) {
    const validated = validateSignature({ fullName: "Aigerim Nurlanovna", email, acceptPrivacy: "on", ...fields });
    assert.ok(validated.ok);
    return signAppeal(t.db, appealId, validated.input, { locale: "en" });
  }

  async function latestEmailTo(email: string) {
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const messages = (await inbox.messages()).filter((m) => m.to === email);
    const latest = messages.at(-1);
    assert.ok(latest, `an email reached ${email}`);
    return latest;
  }

  /** Signs with every field a person can fill, plus what the form records about the request. */
  async function signAndConfirm(appealId: string, email: string, options: { listed: boolean }) {
    const { signatureId } = await sign(appealId, email, {
      role: "journalist",
      country: "KZ",
      city: "Almaty",
      comment: "Қолдаймын.",
      wantsUpdates: "on",
      ...(options.listed ? { showPublicly: "on" } : {}),
    });
    // What the sign route records about the request (set here directly, so the test does not
    // depend on how the route passes them in).
    await t.db.signature.update({ where: { id: signatureId }, data: { networkAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (Test)" } });
    const confirmationEmail = await latestEmailTo(email);
    const confirmed = await confirmSignature(t.db, confirmationToken(confirmationEmail), "en");
    assert.equal(confirmed?.confirmed, true);
    assert.ok(confirmed?.withdrawToken);
    return { signatureId, confirmationEmail, withdrawToken: withdrawalToken(confirmationEmail), pageWithdrawToken: confirmed.withdrawToken };
  }

  test("every email about a signature carries a withdraw link of its own, stored only as a SHA-256 hash", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, confirmationEmail, withdrawToken, pageWithdrawToken } = await signAndConfirm(appeal.id, "links@example.org", { listed: true });
    assert.match(confirmationEmail.text, new RegExp(`${testPublicUrl}/withdraw/[A-Za-z0-9_-]{43}`));
    assert.ok(confirmationEmail.html?.includes(`${testPublicUrl}/withdraw/${withdrawToken}`), "the HTML part links to it too");

    await sign(appeal.id, "links@example.org");
    const alreadySigned = await latestEmailTo("links@example.org");
    assert.match(alreadySigned.subject, /already signed/);
    const secondToken = withdrawalToken(alreadySigned);
    assert.notEqual(secondToken, withdrawToken);

    const stored = await t.db.signatureToken.findMany({ where: { signatureId, purpose: "WITHDRAW" } });
    const expected = [withdrawToken, pageWithdrawToken, secondToken].map((token) => createHash("sha256").update(token, "utf8").digest("hex")).sort();
    assert.deepEqual(stored.map((row) => Buffer.from(row.tokenHash).toString("hex")).sort(), expected);
    for (const row of stored) {
      const lifetime = row.expiresAt.getTime() - row.createdAt.getTime();
      assert.ok(Math.abs(lifetime - withdrawalLinkLifetimeMs) < 60_000, "a withdraw link works for as long as data may be kept");
    }
    const jobs = await t.db.$queryRaw<{ dump: string }[]>`SELECT row_to_json(j)::text AS dump FROM graphile_worker._private_jobs j`;
    assert.ok(jobs.every((job) => !job.dump.includes(withdrawToken) && !job.dump.includes(secondToken)), "the queue never held a token");
  });

  test("opening the link shows what will happen and changes nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, withdrawToken } = await signAndConfirm(appeal.id, "look@example.org", { listed: true });
    const before = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    const tokensBefore = await t.db.signatureToken.count({ where: { signatureId } });

    const view = await findWithdrawal(t.db, withdrawToken, "en");
    assert.deepEqual(view, { signatureId, fullName: "Aigerim Nurlanovna", withdrawn: false, appeal: { id: appeal.id, slug: appeal.slug, title: appeal.title } });
    const page = await callWithdrawPage("GET", withdrawToken);
    assert.equal(page.status, 200);
    assert.equal(page.cacheControl, "private, no-store");
    assert.equal(page.data.state, "ready");

    assert.deepEqual(await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } }), before);
    assert.equal(await t.db.signatureToken.count({ where: { signatureId } }), tokensBefore);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
  });

  test("withdrawing a listed signature uncounts it, takes it off the list and erases everything that identifies the signer", async () => {
    const appeal = await createTestAppeal(t.db);
    const other = await signAndConfirm(appeal.id, "stays@example.org", { listed: true });
    const { signatureId, withdrawToken } = await signAndConfirm(appeal.id, "leaves@example.org", { listed: true });
    const before = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 2, listed: 2 });

    const page = await callWithdrawPage("POST", withdrawToken);
    assert.equal(page.status, 200);
    assert.equal(page.cacheControl, "private, no-store");
    assert.equal(page.data.state, "withdrawn");

    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), await recountSignatures(t.db, appeal.id));
    const listed = await listPublicSigners(t.db, appeal.id, { limit: 10 });
    assert.deepEqual(listed.signers.map((signer) => signer.id), [other.signatureId]);

    const after = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    assert.ok(after.withdrawnAt, "when it was withdrawn is kept");
    assert.deepEqual(
      { ...after, withdrawnAt: null },
      {
        ...before,
        // What the audit needs stays: id, appeal, createdAt, confirmedAt, and the consent record.
        status: "WITHDRAWN",
        withdrawnAt: null,
        // Everything that identifies the signer is gone.
        fullName: "",
        email: "",
        emailCanonical: `erased:${signatureId}`,
        role: null,
        country: null,
        city: null,
        comment: null,
        networkAddress: null,
        userAgent: null,
        showPublicly: false,
        wantsUpdates: false,
        locale: "en",
        heldReason: null,
      },
    );
    const dump = (await t.db.$queryRaw<{ dump: string }[]>`SELECT row_to_json(s)::text AS dump FROM "Signature" s WHERE id = ${signatureId}::uuid`)[0]!.dump;
    for (const trace of ["leaves@example.org", "Aigerim", "Almaty", "journalist", "203.0.113.7", "Mozilla"]) assert.ok(!dump.includes(trace), `${trace} is erased`);
    // Only the token just used is left, and it leads nowhere but to "withdrawn".
    const tokens = await t.db.signatureToken.findMany({ where: { signatureId } });
    assert.deepEqual(tokens.map((token) => Buffer.from(token.tokenHash).toString("hex")), [createHash("sha256").update(withdrawToken).digest("hex")]);
    // The other signer is untouched.
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: other.signatureId } })).email, "stays@example.org");
  });

  test("withdrawing an unlisted signature lowers only the confirmed count", async () => {
    const appeal = await createTestAppeal(t.db);
    await signAndConfirm(appeal.id, "listed@example.org", { listed: true });
    const unlisted = await signAndConfirm(appeal.id, "unlisted@example.org", { listed: false });
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 2, listed: 1 });
    await withdrawSignature(t.db, unlisted.withdrawToken, "en");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), await recountSignatures(t.db, appeal.id));
  });

  test("pressing again shows the same result and changes nothing more", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, withdrawToken } = await signAndConfirm(appeal.id, "twice@example.org", { listed: true });
    const first = await callWithdrawPage("POST", withdrawToken);
    const erased = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    const second = await callWithdrawPage("POST", withdrawToken);
    const opened = await callWithdrawPage("GET", withdrawToken);
    assert.deepEqual(second, first);
    assert.equal(opened.data.state, "withdrawn");
    assert.deepEqual(await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } }), erased);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
  });

  test("many presses at once, through two links, count the signature down exactly once", async () => {
    const appeal = await createTestAppeal(t.db);
    await signAndConfirm(appeal.id, "keeps@example.org", { listed: true });
    const { signatureId, withdrawToken } = await signAndConfirm(appeal.id, "racing@example.org", { listed: true });
    const pressCount = 12;
    await sign(appeal.id, "racing@example.org");
    const secondLink = withdrawalToken(await latestEmailTo("racing@example.org"));

    // Hold the signature's row so that every press reaches its withdrawing statement before
    // any of them can finish: then they all run into each other.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    let pressing: Promise<(Awaited<ReturnType<typeof withdrawSignature>>)[]>;
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM "Signature" WHERE id = $1 FOR UPDATE`, [signatureId]);
      pressing = Promise.all(Array.from({ length: pressCount }, (_, index) => withdrawSignature(t.db, index % 2 ? withdrawToken : secondLink, "en")));
      await waitFor(async () => (await connectionsWaitingOnLocks()) === pressCount, `${pressCount} presses waiting on the signature`);
      await blocker.query("COMMIT");
    } finally {
      await blocker.end();
    }
    const presses = await pressing;
    assert.ok(presses.some((press) => press?.withdrawn), "a press withdrew it");
    // A press that lost the race through the other link may find its token deleted: that is
    // "this link does not work", never an error and never a second subtraction.
    assert.ok(presses.every((press) => press === null || press.withdrawn));
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), await recountSignatures(t.db, appeal.id));
  });

  test("a pending signature can be withdrawn: nothing was counted, its data is erased, and queued emails send nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId } = await sign(appeal.id, "pending@example.org", { showPublicly: "on", city: "Shymkent" });
    const withdrawToken = withdrawalToken(await latestEmailTo("pending@example.org"));
    // A second submission queues another confirmation email before the worker gets to it.
    await sign(appeal.id, "pending@example.org");
    const sentBefore = (await inbox.messages()).length;

    const result = await withdrawSignature(t.db, withdrawToken, "en");
    assert.equal(result?.withdrawn, true);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
    const after = await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } });
    assert.equal(after.status, "WITHDRAWN");
    assert.equal(after.email, "");
    assert.equal(after.city, null);
    assert.equal(after.confirmedAt, null);

    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await inbox.messages()).length, sentBefore, "the queued email became a no-op");
  });

  test("after withdrawing, the same address can sign again as a new signer", async () => {
    const appeal = await createTestAppeal(t.db);
    const first = await signAndConfirm(appeal.id, "again@example.org", { listed: true });
    await withdrawSignature(t.db, first.withdrawToken, "en");
    const second = await sign(appeal.id, "again@example.org");
    assert.notEqual(second.signatureId, first.signatureId);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: second.signatureId } })).status, "PENDING");
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: first.signatureId } })).status, "WITHDRAWN");
  });

  test("the press that confirms offers a withdraw link once, and it works", async () => {
    const appeal = await createTestAppeal(t.db);
    await sign(appeal.id, "page@example.org");
    const confirmationLink = confirmationToken(await latestEmailTo("page@example.org"));
    const offered = (await confirmSignature(t.db, confirmationLink, "en"))?.withdrawToken;
    assert.ok(offered);
    const again = await confirmSignature(t.db, confirmationLink, "en");
    assert.equal(again?.confirmed, true);
    assert.equal(again?.withdrawToken, null, "pressing Confirm again makes no new token");
    assert.equal(await t.db.signatureToken.count({ where: { purpose: "WITHDRAW", signatureId: again?.signatureId } }), 2, "the confirmation email's link and the page's");
    assert.equal((await withdrawSignature(t.db, offered, "en"))?.withdrawn, true);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
  });

  test("unknown, garbled, expired and confirmation tokens withdraw nothing and get a friendly 404", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, withdrawToken, confirmationEmail } = await signAndConfirm(appeal.id, "safe@example.org", { listed: true });
    const garbled = ["", "x", "not a token", "%00%ff", "a".repeat(5000), createToken().token, confirmationToken(confirmationEmail), `${withdrawToken.slice(0, 42)}.`];
    for (const token of garbled) {
      for (const method of ["GET", "POST"] as const) {
        const page = await callWithdrawPage(method, token);
        assert.equal(page.status, 404, `${method} ${token.slice(0, 20)}`);
        assert.equal(page.data.state, "invalid");
        assert.equal(page.cacheControl, "private, no-store");
      }
    }
    await t.db.signatureToken.updateMany({ where: { signatureId, purpose: "WITHDRAW" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal(await withdrawSignature(t.db, withdrawToken, "en"), null);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } })).status, "CONFIRMED");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
  });

  test("links that carry a token never reach the log, nor a search of the signers", () => {
    const token = createToken().token;
    for (const kind of ["withdraw", "confirm", "unsubscribe", "password", "WITHDRAW", "Unsubscribe"]) {
      for (const path of [`/${kind}/${token}`, `/${kind}/${token}.data`, `/${kind}/${token}?index`]) {
        assert.ok(!pathForLog(path).includes(token), path);
        assert.match(pathForLog(path), new RegExp(`^/${kind}/\\[token\\]`), path);
      }
    }
    assert.equal(pathForLog("/appeals/clean-air/signers?after=x&q=Ana%20Petrova&lang=ru"), "/appeals/clean-air/signers?after=x&q=[search]&lang=ru");
    // Spellings the router decodes to the same pages.
    for (const path of [`/%63onfirm/${token}`, `/%75nsubscribe/${token}`, `/x/../withdraw/${token}`]) assert.ok(!pathForLog(path).includes(token), path);
    assert.equal(pathForLog("/appeals/a/signers?%71=Ana"), "/appeals/a/signers?q=[search]");
  });

  /** How many connections to the test's database wait for a lock (here: presses waiting on the held row). */
  async function connectionsWaitingOnLocks(): Promise<number> {
    const [row] = await t.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    return row!.n;
  }

  /** The withdraw page's loader or action, called as Remix calls them. */
  async function callWithdrawPage(method: "GET" | "POST", token: string) {
    const context = testLoadContext(t.db, t.url);
    try {
      const request = new Request(`http://localhost/withdraw/${encodeURIComponent(token)}`, { method });
      const args = { request, params: { token }, context };
      const result = (await (method === "GET" ? withdrawLoader(args) : withdrawAction(args))) as unknown as {
        data: { state: string };
        init: { status?: number; headers?: Record<string, string> } | null;
      };
      return { status: result.init?.status ?? 200, cacheControl: result.init?.headers?.["Cache-Control"], data: result.data };
    } finally {
      await context.close();
    }
  }
});
