import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { getAppealOverview } from "~/domain/appeal-editing";
import { eraseContactAndTraces } from "~/domain/erasure.server";
import { requestPasswordReset } from "~/domain/organizer-accounts.server";
import { signAppeal, validateSignature } from "~/domain/signatures";
import { createLogger } from "~/infra/logger.server";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";
import { deliverQueuedEmail, testMailFrom, testPublicUrl, useInbox } from "./support/mail";

describe("emails about signatures", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  async function sign(appealId: string, email: string, fullName = "Lena Fischer") {
    const validated = validateSignature({ fullName, email, acceptPrivacy: "on" });
    assert.ok(validated.ok);
    return signAppeal(t.db, appealId, validated.input, { locale: "en" });
  }

  test("the confirmation email names the appeal, comes from MAIL_FROM and links to the confirmation page", async () => {
    const appeal = await createTestAppeal(t.db);
    await sign(appeal.id, "lena@example.org", "Lena <b>Fischer</b>");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });

    const message = (await inbox.messages()).find((m) => m.to === "lena@example.org");
    assert.ok(message);
    assert.equal(message.from, '"Undersign Tests" <appeals@undersign.test>', `From is MAIL_FROM (${testMailFrom})`);
    assert.match(message.messageId ?? "", /^<[0-9a-f-]{36}@undersign\.test>$/);
    assert.equal(message.subject, `Confirm your signature on “${appeal.title}”`);
    assert.match(message.text, new RegExp(`${testPublicUrl}/confirm/[A-Za-z0-9_-]{43}`));
    assert.ok(message.html?.includes("Lena &lt;b&gt;Fischer&lt;/b&gt;"), "the name is escaped in the HTML part");
    assert.ok(message.html?.includes(`${testPublicUrl}/confirm/`));
  });

  test("a signer gets the appeal's title in the language they signed in, with links that open in it, also when told they have already signed", async () => {
    const appeal = await createTestAppeal(t.db);
    await t.db.appealTranslation.create({ data: { appealId: appeal.id, locale: "ru", title: "Сделать Вязовую улицу школьной", summary: "Кратко.", body: "Текст." } });
    const validated = validateSignature({ fullName: "Анна Петрова", email: "anna@example.org", acceptPrivacy: "on" });
    assert.ok(validated.ok);
    const { signatureId } = await signAppeal(t.db, appeal.id, validated.input, { locale: "ru" });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const confirm = (await inbox.messages()).find((m) => m.to === "anna@example.org");
    assert.ok(confirm);
    assert.ok(confirm.subject.includes("Сделать Вязовую улицу школьной"), `the Russian title in "${confirm.subject}"`);
    assert.match(confirm.text, new RegExp(`${testPublicUrl}/confirm/[A-Za-z0-9_-]{43}\\?lang=ru`));
    assert.match(confirm.text, new RegExp(`${testPublicUrl}/withdraw/[A-Za-z0-9_-]{43}\\?lang=ru`));

    await t.db.signature.update({ where: { id: signatureId }, data: { status: "CONFIRMED", confirmedAt: new Date() } });
    await signAppeal(t.db, appeal.id, validated.input, { locale: "ru" });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const already = (await inbox.messages()).filter((m) => m.to === "anna@example.org")[1];
    assert.ok(already);
    assert.ok(already.subject.includes("Сделать Вязовую улицу школьной"), `the Russian title in "${already.subject}"`);
    assert.ok(already.text.includes(`${testPublicUrl}/appeals/${appeal.slug}?lang=ru`), "links to the appeal, in Russian");
    // Each email stored its own tokens' hashes: confirm and withdraw, then a second withdraw.
    const stored = await t.db.signatureToken.findMany({ where: { signatureId }, select: { purpose: true, expiresAt: true } });
    assert.deepEqual(stored.map((token) => token.purpose).sort(), ["CONFIRM", "WITHDRAW", "WITHDRAW"]);
    for (const token of stored) assert.ok(token.expiresAt.getTime() > Date.now() + 29 * 24 * 3_600_000, "each link lasts at least a month");
  });

  test("when SMTP is down nothing is lost: the job waits, retries, and is delivered once SMTP is back", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId } = await sign(appeal.id, "patient@example.org");

    // A port nothing listens on: delivery fails and the job is kept for a retry.
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: "smtp://127.0.0.1:9" });
    const [failed] = await t.db.$queryRaw<{ attempts: number; last_error: string | null; run_at: Date }[]>`
      SELECT attempts, last_error, run_at FROM graphile_worker.jobs`;
    assert.equal(failed?.attempts, 1);
    assert.ok(failed?.last_error, "the failure is recorded");
    assert.ok(failed!.run_at.getTime() > Date.now(), "the retry is scheduled for later (backoff)");
    assert.equal((await inbox.messages()).filter((m) => m.to === "patient@example.org").length, 0);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } })).status, "PENDING");

    // Time passes (the backoff is over) and SMTP is back.
    await t.db.$executeRaw`UPDATE graphile_worker._private_jobs SET run_at = now()`;
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await inbox.messages()).filter((m) => m.to === "patient@example.org").length, 1);
    assert.equal((await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs`)[0]?.n, 0n);
  });

  test("an address the mail server refuses for good (550) is recorded on the signature and not retried; a 4xx is retried", async () => {
    const appeal = await createTestAppeal(t.db);
    const gone = await sign(appeal.id, "gone@example.org", "Gone Mailbox");
    const busy = await sign(appeal.id, "busy@example.org", "Busy Mailbox");
    // A mail server that knows no "gone" mailbox and is too busy for "busy" today.
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onRcptTo(address, _session, callback) {
        if (address.address === "gone@example.org") return callback(Object.assign(new Error("5.1.1 <gone@example.org>: no such user here"), { responseCode: 550 }));
        if (address.address === "busy@example.org") return callback(Object.assign(new Error("4.2.1 try again later"), { responseCode: 451 }));
        callback();
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.server.address() as AddressInfo;
    try {
      await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: `smtp://127.0.0.1:${port}` });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const refused = await t.db.signature.findUniqueOrThrow({ where: { id: gone.signatureId } });
    assert.ok(refused.emailRejectedAt, "the refusal is recorded");
    assert.match(refused.emailRejection ?? "", /550.*no such user/);
    assert.equal(refused.status, "PENDING");
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: busy.signatureId } })).emailRejectedAt, null);
    const jobs = await t.db.$queryRaw<{ payload: { signatureId: string } }[]>`SELECT payload FROM graphile_worker._private_jobs`;
    assert.deepEqual(
      jobs.map((job) => job.payload.signatureId),
      [busy.signatureId],
      "only the 4xx is kept for a retry",
    );
    assert.equal((await getAppealOverview(t.db, appeal.id))?.counts.emailRefused, 1);
  });

  test("the worker's log names no one: not a signer the mail server turns away, not an address a password reset was asked for", async () => {
    const appeal = await createTestAppeal(t.db);
    await sign(appeal.id, "greylisted@example.org", "Grey Listed");
    await requestPasswordReset(t.db, "Someone.Asking@Example.org");
    // A mail server that greylists, quoting the address as real ones do.
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onRcptTo(address, _session, callback) {
        callback(Object.assign(new Error(`4.7.1 <${address.address}>: greylisted, try again later`), { responseCode: 450 }));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.server.address() as AddressInfo;
    const lines: string[] = [];
    const log = createLogger("debug", { write: (line: string) => void lines.push(line) });
    try {
      await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: `smtp://127.0.0.1:${port}`, log });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const everything = lines.join("\n");
    for (const address of ["greylisted@example.org", "someone.asking@example.org"]) assert.ok(!everything.toLowerCase().includes(address.toLowerCase()), `${address} is in no log line`);
    const queueLines = lines.map((line) => JSON.parse(line) as { component?: string; msg: string; job?: { task?: string } }).filter((line) => line.component === "queue");
    const failed = queueLines.filter((line) => line.msg.startsWith("Failed task"));
    assert.equal(failed.length, 1, "the greylisted signer's email failed once, and says so");
    assert.equal(failed[0]!.job?.task, "send_signature_email");
    assert.ok(failed[0]!.msg.includes("greylisted"), "with the server's reason");
    assert.ok(queueLines.some((line) => line.msg.startsWith("Completed task") && line.job?.task === "send_organizer_email"), "the reset's job is logged as done");
  });

  test("a job for a signature confirmed meanwhile sends nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId } = await sign(appeal.id, "quick@example.org");
    await t.db.signature.update({ where: { id: signatureId }, data: { status: "CONFIRMED", confirmedAt: new Date() } });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await inbox.messages()).filter((m) => m.to === "quick@example.org").length, 0);
  });

  test("a job for a signature whose address was erased meanwhile sends nothing and stores no links", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId } = await sign(appeal.id, "erased@example.org");
    await t.db.$executeRaw`UPDATE "Signature" SET ${eraseContactAndTraces} WHERE id = ${signatureId}::uuid`;
    const before = (await inbox.messages()).length;
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.equal((await inbox.messages()).length, before, "no email, to no one");
    assert.equal(await t.db.signatureToken.count({ where: { signatureId } }), 0);
    assert.equal((await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs`)[0]?.n, 0n, "the job is done, not retried");
  });
});
