/**
 * Updates to signers, against real Postgres and a real SMTP server: who gets one (and who never
 * does), what the email carries (a text part, one-click unsubscribe), the unsubscribe link that
 * a GET never uses up, the send that cannot happen twice, and the progress organizers see.
 *
 *   TEST_DATABASE_URL=postgres://… npx tsx --test tests/updates.test.ts
 */
import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { describe, test } from "node:test";
import express from "express";
import type { SignedInOrganizer } from "~/domain/organizers";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createUpdate, deleteUpdateDraft, getUpdateProgress, listUpdates, saveUpdateTexts, sendTestUpdate, startSendingUpdate } from "~/domain/updates";
import { withdrawSignature } from "~/domain/withdrawals";
import { rejectCrossSiteWrites } from "~/infra/http-guards.server";
import { action as unsubscribeAction, loader as unsubscribeLoader } from "~/routes/unsubscribe.$token";
import { createTestAppeal } from "./support/appeals";
import { freePort } from "./support/processes";
import { waitFor } from "./support/wait";
import { testLoadContext } from "./support/context";
import { useDatabasePerTest } from "./support/database";
import { action as updateAction } from "~/routes/organize.appeals.$id.updates.$updateId";
import { confirmationToken, deliverQueuedEmail, runQueuedJobs, testPublicUrl, useInbox, withdrawalToken } from "./support/mail";

/** The header fields of a raw message, unfolded, by lower-case name. */
function headersOf(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

describe("updates to signers", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  async function organizer(): Promise<SignedInOrganizer> {
    const row = await t.db.organizer.create({ data: { email: "olga@organizers.test", emailCanonical: "olga@organizers.test", name: "Olga Organizer", role: "EDITOR" } });
    return { id: row.id, name: row.name, email: row.email, role: "EDITOR" };
  }

  async function signAndConfirm(appealId: string, email: string, wantsUpdates: boolean, locale = "en") {
    const validated = validateSignature({ fullName: `Signer ${email.split("@")[0]}`, email, acceptPrivacy: "on", ...(wantsUpdates ? { wantsUpdates: "on" } : {}) });
    assert.ok(validated.ok);
    const { signatureId } = await signAppeal(t.db, appealId, validated.input, { locale });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const message = (await inbox.messages()).filter((m) => m.to === email).at(-1);
    assert.ok(message, `confirmation to ${email}: ${JSON.stringify((await inbox.messages()).map((m) => m.to))} ${JSON.stringify(await t.db.signature.findMany({ select: { email: true, status: true, heldReason: true } }))}`);
    assert.equal((await confirmSignature(t.db, confirmationToken(message), locale))?.confirmed, true);
    return { signatureId, withdrawToken: withdrawalToken(message) };
  }

  const updatesTo = async (email: string) => (await inbox.messages()).filter((m) => m.to === email && m.subject.includes("Hearing"));

  test("goes to confirmed signers who asked for updates, once each, with a text part and one-click unsubscribe", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    const olga = await organizer();
    await signAndConfirm(appeal.id, "ann@example.org", true);
    await signAndConfirm(appeal.id, "bob@example.org", true);
    await signAndConfirm(appeal.id, "cat@example.org", false);
    const withdrawn = await signAndConfirm(appeal.id, "dan@example.org", true);
    assert.ok(await withdrawSignature(t.db, withdrawn.withdrawToken, "en"));
    // Pending (never confirmed) and invalidated signers get nothing either.
    const pending = validateSignature({ fullName: "Eve", email: "eve@example.org", acceptPrivacy: "on", wantsUpdates: "on" });
    assert.ok(pending.ok);
    await signAppeal(t.db, appeal.id, pending.input, { locale: "en" });
    const invalidated = await signAndConfirm(appeal.id, "fay@example.org", true);
    await t.db.signature.update({ where: { id: invalidated.signatureId }, data: { status: "INVALIDATED", invalidatedFrom: "CONFIRMED", invalidatedAt: new Date() } });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });

    const updateId = await createUpdate(t.db, appeal.id, olga);
    assert.ok(updateId);
    assert.equal(await saveUpdateTexts(t.db, appeal.id, updateId, [{ locale: "en", subject: "Hearing on 3 March", body: "The council **hears** us.\n\n<script>alert(1)</script>" }]), null);

    // A test first: to the organizer only, marked as one.
    assert.equal(await sendTestUpdate(t.db, appeal.id, updateId, olga), null);
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const [testEmail] = await updatesTo("olga@organizers.test");
    assert.ok(testEmail);
    assert.match(testEmail.subject, /^\[Test\] Hearing/);
    assert.equal((await getUpdateProgress(t.db, updateId)).recipients, 0, "a test sends to nobody else");

    const started = await startSendingUpdate(t.db, appeal.id, updateId, olga);
    assert.deepEqual(started, { ok: true, recipients: 2 });
    const second = await startSendingUpdate(t.db, appeal.id, updateId, olga);
    assert.deepEqual(second, { ok: false, refusal: "notDraft" }, "a second send is refused");
    assert.equal(await saveUpdateTexts(t.db, appeal.id, updateId, [{ locale: "en", subject: "Changed", body: "x" }]), "notDraft", "a sent update is frozen");

    let progress = await getUpdateProgress(t.db, updateId);
    assert.deepEqual(progress, { recipients: 2, sent: 0, failed: 0, skipped: 0, pending: 2 });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    progress = await getUpdateProgress(t.db, updateId);
    assert.deepEqual(progress, { recipients: 2, sent: 2, failed: 0, skipped: 0, pending: 0 });
    const [summary] = await listUpdates(t.db, appeal.id, "en");
    assert.equal(summary?.status, "SENT");
    assert.equal(summary?.subject, "Hearing on 3 March");

    for (const email of ["ann@example.org", "bob@example.org"]) assert.equal((await updatesTo(email)).length, 1, `${email} got the update once`);
    for (const email of ["cat@example.org", "dan@example.org", "eve@example.org", "fay@example.org"]) assert.equal((await updatesTo(email)).length, 0, `${email} got no update`);

    // Running the queue again sends nothing more.
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await updatesTo("ann@example.org")).length, 1);

    const [message] = await updatesTo("ann@example.org");
    assert.ok(message);
    assert.match(message.text, /The council \*\*hears\*\* us\./, "a plain-text part");
    assert.ok(message.html?.includes("<strong>hears</strong>"), "an HTML part, rendered from Markdown");
    assert.ok(!message.html?.includes("<script>"), "raw HTML in the text stays text");
    const headers = headersOf(message.raw);
    const listUnsubscribe = headers.get("list-unsubscribe") ?? "";
    const match = /^<(https?:\/\/[^>]+\/unsubscribe\/([A-Za-z0-9_-]{43}))>$/.exec(listUnsubscribe);
    assert.ok(match, `List-Unsubscribe is one https link: ${listUnsubscribe}`);
    assert.ok(match[1]!.startsWith(`${testPublicUrl}/unsubscribe/`));
    assert.equal(headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    assert.ok(message.text.includes(match[1]!), "the link is in the body too");
    const token = match[2]!;

    // The token is stored only hashed.
    const stored = await t.db.signatureToken.findMany({ where: { purpose: "UNSUBSCRIBE" } });
    assert.equal(stored.length, 2);
    assert.ok(stored.every((row) => Buffer.from(row.tokenHash).toString("base64url") !== token));

    const ann = await t.db.signature.findFirstOrThrow({ where: { emailCanonical: "ann@example.org" } });
    const context = testLoadContext(t.db, t.url);
    try {
      const args = (method: string) => ({ params: { token }, context, request: new Request(`http://localhost/unsubscribe/${token}`, { method, ...(method === "POST" ? { body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } } : {}) }) });
      // A link scanner's GET changes nothing.
      await unsubscribeLoader(args("GET") as never);
      await unsubscribeLoader(args("GET") as never);
      assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: ann.id } })).wantsUpdates, true, "GET does not unsubscribe");
      // The one-click POST does, at once; repeating it is harmless.
      await unsubscribeAction(args("POST") as never);
      assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: ann.id } })).wantsUpdates, false, "POST unsubscribes");
      await unsubscribeAction(args("POST") as never);
      const after = await t.db.signature.findUniqueOrThrow({ where: { id: ann.id } });
      assert.equal(after.status, "CONFIRMED", "the signature itself stays");
    } finally {
      await context.close();
    }

    // The next update goes only to Bob.
    const nextId = await createUpdate(t.db, appeal.id, olga);
    assert.ok(nextId);
    await saveUpdateTexts(t.db, appeal.id, nextId, [{ locale: "en", subject: "Hearing postponed", body: "Next week." }]);
    assert.deepEqual(await startSendingUpdate(t.db, appeal.id, nextId, olga), { ok: true, recipients: 1 });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await updatesTo("ann@example.org")).length, 1);
    assert.equal((await updatesTo("bob@example.org")).length, 2);

    const audit = await t.db.auditEvent.findMany({ where: { appealId: appeal.id, action: { startsWith: "update." } }, orderBy: { id: "asc" } });
    assert.deepEqual(audit.map((event) => event.action), ["update.test-sent", "update.sent", "update.sent"]);
    assert.equal(audit[0]?.actorName, "Olga Organizer <olga@organizers.test>");
  });

  test("each signer gets the update in the language they signed in, when it has one", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    await t.db.appealTranslation.create({ data: { appealId: appeal.id, locale: "kk", title: "Үндеу", body: "Мәтін" } });
    const olga = await organizer();
    await signAndConfirm(appeal.id, "en@example.org", true, "en");
    await signAndConfirm(appeal.id, "kk@example.org", true, "kk");
    await signAndConfirm(appeal.id, "de@example.org", true, "de");
    const updateId = (await createUpdate(t.db, appeal.id, olga))!;
    await saveUpdateTexts(t.db, appeal.id, updateId, [
      { locale: "en", subject: "Hearing news", body: "In English." },
      { locale: "kk", subject: "Hearing жаңалықтары", body: "Қазақша." },
    ]);
    await startSendingUpdate(t.db, appeal.id, updateId, olga);
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.match((await updatesTo("kk@example.org"))[0]?.text ?? "", /Қазақша/);
    assert.match((await updatesTo("en@example.org"))[0]?.text ?? "", /In English/);
    assert.match((await updatesTo("de@example.org"))[0]?.text ?? "", /In English/, "no German text: the appeal's own language");
  });

  test("the organizer page's Send: the count first, then a second POST is refused with a clear 409, and it goes at the configured pace", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    const olga = await organizer();
    await t.db.signature.createMany({
      data: Array.from({ length: 10 }, (_, i) => ({ appealId: appeal.id, fullName: `Paced ${i}`, email: `paced${i}@example.org`, emailCanonical: `paced${i}@example.org`, wantsUpdates: true, status: "CONFIRMED" as const, confirmedAt: new Date() })),
    });
    const updateId = (await createUpdate(t.db, appeal.id, olga))!;
    await saveUpdateTexts(t.db, appeal.id, updateId, [{ locale: "en", subject: "Hearing paced", body: "Slowly." }]);
    const send = async (organizerInContext: SignedInOrganizer | null) => {
      const context = testLoadContext(t.db, t.url, { organizer: organizerInContext });
      try {
        const request = new Request(`http://localhost/organize/appeals/${appeal.id}/updates/${updateId}`, { method: "POST", body: new URLSearchParams({ intent: "send" }) });
        return (await updateAction({ params: { id: appeal.id, updateId }, context, request } as never)) as unknown as { data: { refusal?: string; recipients?: number }; init: { status?: number } | null };
      } catch (thrown) {
        return thrown as { data: unknown; init: { status?: number } | null };
      }
    };
    assert.equal((await send(null)).init?.status, 401, "only a signed-in organizer");
    assert.equal((await getUpdateProgress(t.db, updateId)).recipients, 0);
    const first = await send(olga);
    assert.deepEqual(first.data, { intent: "send", recipients: 10 });
    const again = await send(olga);
    assert.equal(again.init?.status, 409);
    assert.deepEqual(again.data, { intent: "send", refusal: "notDraft" });
    assert.equal(await t.db.signerUpdateDelivery.count({ where: { updateId } }), 10, "nothing sent twice");

    // 600 a minute: one every 100 ms, so from the first to the tenth most of a second (unpaced: ~0.25 s).
    await runQueuedJobs({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url, updateEmailsPerMinute: 600 });
    assert.equal((await getUpdateProgress(t.db, updateId)).sent, 10);
    const done = (await t.db.signerUpdateDelivery.findMany({ where: { updateId }, select: { doneAt: true } })).map((row) => row.doneAt!.getTime());
    const spread = Math.max(...done) - Math.min(...done);
    assert.ok(spread >= 600, `ten emails at 600 a minute went out over ${spread} ms`);
  });

  test("when the mail server refused for so long that sending gave up, the organizer sees it stopped and resumes it; nobody gets it twice", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    const olga = await organizer();
    await t.db.signature.createMany({
      data: ["gil", "hal"].map((name) => ({ appealId: appeal.id, fullName: name, email: `${name}@example.org`, emailCanonical: `${name}@example.org`, wantsUpdates: true, status: "CONFIRMED" as const, confirmedAt: new Date() })),
    });
    const updateId = (await createUpdate(t.db, appeal.id, olga))!;
    await saveUpdateTexts(t.db, appeal.id, updateId, [{ locale: "en", subject: "Hearing resumed", body: "Again." }]);
    assert.deepEqual(await startSendingUpdate(t.db, appeal.id, updateId, olga), { ok: true, recipients: 2 });
    const press = async () => {
      const context = testLoadContext(t.db, t.url, { organizer: olga });
      try {
        const request = new Request(`http://localhost/organize/appeals/${appeal.id}/updates/${updateId}`, { method: "POST", body: new URLSearchParams({ intent: "resume" }) });
        return (await updateAction({ params: { id: appeal.id, updateId }, context, request } as never)) as unknown as { data: { refusal?: string }; init: { status?: number } | null };
      } finally {
        await context.close();
      }
    };
    const stalled = async () => (await listUpdates(t.db, appeal.id, "en"))[0]?.stalled ?? null;
    const noServer = `smtp://127.0.0.1:${await freePort()}`;

    // The mail server is down: the job fails and waits to be tried again. That is not stalled.
    await runQueuedJobs({ databaseUrl: t.url, db: t.db, smtpUrl: noServer });
    assert.equal(await stalled(), null, "a job waiting for its next attempt is on its way");
    assert.equal((await press()).init?.status, 409, "nothing to resume yet");

    // Its last attempt (graphile-worker's own reschedule stands in for the hours between attempts)
    // reaches a mail server that takes the connection and says nothing. While it waits, every
    // attempt is counted, yet it is on its way: not stalled, and Resume would queue a second job.
    await t.db.$executeRaw`SELECT count(*) FROM graphile_worker.reschedule_jobs(ARRAY(SELECT id FROM graphile_worker.jobs), run_at => now(), attempts => 11)`;
    const connected = new Set<Socket>();
    const silentServer = createServer((socket) => {
      socket.on("error", () => undefined); // the client resetting the connection is expected
      connected.add(socket);
    });
    await new Promise<void>((listening) => silentServer.listen(0, "127.0.0.1", listening));
    const lastAttempt = runQueuedJobs({ databaseUrl: t.url, db: t.db, smtpUrl: `smtp://127.0.0.1:${(silentServer.address() as AddressInfo).port}` });
    try {
      await waitFor(async () => connected.size > 0, "the last attempt to reach the mail server");
      assert.equal(await stalled(), null, "a job on its last attempt is on its way");
      assert.equal((await press()).init?.status, 409, "nothing to resume while the last attempt runs");
    } finally {
      // The server hangs up and goes away: the mailer's retry of that message finds nobody
      // listening (ECONNREFUSED), and the last attempt fails too.
      for (const socket of connected) socket.destroy();
      silentServer.close();
      await lastAttempt;
    }
    const stoppedShort = await stalled();
    assert.ok(stoppedShort, "sending stopped short");
    assert.match(stoppedShort.lastError ?? "", /ECONNREFUSED/, "with the last error to act on");
    assert.deepEqual(await getUpdateProgress(t.db, updateId), { recipients: 2, sent: 0, failed: 0, skipped: 0, pending: 2 });

    // The server is back; she presses Resume (twice: the second finds it on its way).
    assert.equal((await press()).init?.status ?? 200, 200);
    assert.equal(await stalled(), null);
    const again = await press();
    assert.equal(again.init?.status, 409);
    assert.deepEqual(again.data, { intent: "resume", refusal: "notStalled" });
    assert.deepEqual(
      (await t.db.$queryRaw<{ attempts: number }[]>`SELECT attempts FROM graphile_worker.jobs`).map((job) => job.attempts),
      [0],
      "one new job; the one that gave up is gone",
    );
    await runQueuedJobs({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    for (const email of ["gil@example.org", "hal@example.org"]) assert.equal((await updatesTo(email)).length, 1, `${email} got it once`);
    const [summary] = await listUpdates(t.db, appeal.id, "en");
    assert.equal(summary?.status, "SENT");
    assert.equal(await t.db.auditEvent.count({ where: { action: "update.resumed", appealId: appeal.id } }), 1, "the resume is in the audit log");
  });

  test("a draft can be deleted with its texts, and the audit says who did it; a sent update cannot", async () => {
    const appeal = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    const olga = await organizer();
    const draftId = (await createUpdate(t.db, appeal.id, olga))!;
    await saveUpdateTexts(t.db, appeal.id, draftId, [{ locale: "en", subject: "Hearing draft", body: "Never mind." }]);
    const press = async (updateId: string) => {
      const context = testLoadContext(t.db, t.url, { organizer: olga });
      const request = new Request(`http://localhost/organize/appeals/${appeal.id}/updates/${updateId}`, { method: "POST", body: new URLSearchParams({ intent: "delete" }) });
      return (await updateAction({ params: { id: appeal.id, updateId }, context, request } as never)) as unknown as Response & { data?: { refusal?: string }; init?: { status?: number } | null };
    };
    const deleted = await press(draftId);
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get("location"), `/organize/appeals/${appeal.id}/updates?deleted`);
    assert.equal(await t.db.signerUpdate.count({ where: { id: draftId } }), 0);
    assert.equal(await t.db.signerUpdateTranslation.count({ where: { updateId: draftId } }), 0, "its texts went with it");
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "update.draft-deleted" } });
    assert.equal(audit.actorName, "Olga Organizer <olga@organizers.test>");
    assert.deepEqual(await listUpdates(t.db, appeal.id, "en"), []);
    assert.equal(await deleteUpdateDraft(t.db, appeal.id, draftId, olga), "notFound", "pressing again finds nothing");

    // Once sending has started, what went out stays on record.
    await t.db.signature.create({ data: { appealId: appeal.id, fullName: "Kept Record", email: "kept@example.org", emailCanonical: "kept@example.org", wantsUpdates: true, status: "CONFIRMED", confirmedAt: new Date() } });
    const sentId = (await createUpdate(t.db, appeal.id, olga))!;
    await saveUpdateTexts(t.db, appeal.id, sentId, [{ locale: "en", subject: "Hearing sent", body: "Gone out." }]);
    assert.equal((await startSendingUpdate(t.db, appeal.id, sentId, olga)).ok, true);
    const refused = await press(sentId);
    assert.equal(refused.init?.status, 409);
    assert.deepEqual(refused.data, { intent: "delete", refusal: "notDraft" });
    assert.equal(await t.db.signerUpdate.count({ where: { id: sentId } }), 1);
    // Another appeal's organizer page cannot reach it either.
    const other = await createTestAppeal(t.db, { proofOfWork: "OFF" });
    assert.equal(await deleteUpdateDraft(t.db, other.id, sentId, olga), "notFound");
  });

  test("the edge lets one-click unsubscribe POSTs through from other sites, and nothing else", async () => {
    const app = express();
    app.use(rejectCrossSiteWrites("https://appeals.example"));
    app.all("*", (_req, res) => res.status(200).send("reached the app"));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const crossSite = { "Sec-Fetch-Site": "cross-site", Origin: "https://mail.example" };
      const token = "a".repeat(43);
      const oneClick = await fetch(`${base}/unsubscribe/${token}`, { method: "POST", headers: crossSite, body: "List-Unsubscribe=One-Click" });
      assert.equal(oneClick.status, 200);
      assert.equal(await oneClick.text(), "reached the app");
      const elsewhere = await fetch(`${base}/withdraw/${token}`, { method: "POST", headers: crossSite, body: "" });
      assert.equal(elsewhere.status, 403);
    } finally {
      server.close();
    }
  });
});
