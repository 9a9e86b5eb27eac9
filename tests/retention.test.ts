/**
 * How long signers' data is kept, against real Postgres: what the retention job erases and
 * nothing else, network addresses after their days, the job as the worker runs it, and what
 * organizers see and set.
 *
 *   node --import tsx --test tests/retention.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCrontab } from "graphile-worker";
import { getAppealDetails, getAppealOverview, saveAppealDetails } from "~/domain/appeal-editing";
import { confirmAndCount, getSignatureCounts, recountSignatures } from "~/domain/counts";
import { addCalendarMonths, eraseOldNetworkAddresses, erasePersonalDataOfClosedAppeals } from "~/domain/retention";
import { taskNames } from "~/infra/queue/outbox.server";
import { jobSchedule } from "~/jobs";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest, type TestDatabase } from "./support/database";
import { runQueuedJobs } from "./support/mail";

const day = 86_400_000;

type Signer = { email: string; status: "PENDING" | "CONFIRMED" | "HELD"; listed: boolean; createdAt?: Date };

/** A signature with everything a person can give and the form records, confirmed (and counted) as asked. */
async function addSigner(t: TestDatabase, appealId: string, signer: Signer): Promise<string> {
  const { id } = await t.db.signature.create({
    data: {
      appealId,
      fullName: `Name of ${signer.email}`,
      email: signer.email,
      emailCanonical: signer.email,
      role: "teacher",
      country: "KZ",
      city: "Taraz",
      comment: "A comment that says who I am.",
      showPublicly: signer.listed,
      wantsUpdates: true,
      networkAddress: "198.51.100.23",
      userAgent: "Mozilla/5.0 (Test)",
      status: signer.status === "HELD" ? "HELD" : "PENDING",
      heldReason: signer.status === "HELD" ? "too-fast" : null,
      ...(signer.createdAt ? { createdAt: signer.createdAt } : {}),
    },
    select: { id: true },
  });
  if (signer.status === "CONFIRMED") assert.ok(await confirmAndCount(t.db, id));
  return id;
}

async function closeAppeal(t: TestDatabase, appealId: string, closedAt: Date, retentionMonths = 6) {
  await t.db.appeal.update({ where: { id: appealId }, data: { status: "CLOSED", closedAt, retentionMonths } });
}

async function signaturesOf(t: TestDatabase, appealId: string) {
  return t.db.signature.findMany({ where: { appealId }, orderBy: { email: "asc" } });
}

describe("erasing signers' personal data after an appeal's retention period", () => {
  const t = useDatabasePerTest();

  test("erases contact details, traces and unlisted names, keeps listed names, statuses and counts", async () => {
    const appeal = await createTestAppeal(t.db);
    const ids = {
      listed: await addSigner(t, appeal.id, { email: "listed@example.org", status: "CONFIRMED", listed: true }),
      unlisted: await addSigner(t, appeal.id, { email: "unlisted@example.org", status: "CONFIRMED", listed: false }),
      pending: await addSigner(t, appeal.id, { email: "pending@example.org", status: "PENDING", listed: true }),
      held: await addSigner(t, appeal.id, { email: "held@example.org", status: "HELD", listed: true }),
    };
    await closeAppeal(t, appeal.id, new Date(Date.now() - 200 * day), 6);
    const before = new Map((await signaturesOf(t, appeal.id)).map((row) => [row.id, row]));
    const countsBefore = await getSignatureCounts(t.db, appeal.id);

    const erased = await erasePersonalDataOfClosedAppeals(t.db);
    assert.deepEqual(erased, [{ appealId: appeal.id, slug: appeal.slug, signatures: 4 }]);

    for (const row of await signaturesOf(t, appeal.id)) {
      const original = before.get(row.id)!;
      const keepsName = row.id === ids.listed;
      assert.deepEqual(row, {
        ...original,
        email: "",
        emailCanonical: `erased:${row.id}`,
        networkAddress: null,
        userAgent: null,
        city: null,
        comment: null,
        fullName: keepsName ? original.fullName : "",
        role: keepsName ? original.role : null,
      });
    }
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), countsBefore);
    assert.deepEqual(countsBefore, await recountSignatures(t.db, appeal.id));

    const after = await t.db.appeal.findUniqueOrThrow({ where: { id: appeal.id } });
    assert.ok(after.personalDataErasedAt, "the appeal records when");
    const [audit] = await t.db.auditEvent.findMany({ where: { action: "appeal.personal-data-erased" } });
    assert.equal(audit?.actorName, "scheduled job");
    assert.equal(audit?.appealId, appeal.id);
    assert.deepEqual(audit?.details, { signatures: 4, retentionMonths: 6 });
  });

  test("leaves alone appeals not yet due, open appeals, and other appeals' signers; running again changes nothing", async () => {
    const due = await createTestAppeal(t.db);
    const notYet = await createTestAppeal(t.db);
    const open = await createTestAppeal(t.db);
    const longRetention = await createTestAppeal(t.db);
    for (const appeal of [due, notYet, open, longRetention]) {
      await addSigner(t, appeal.id, { email: `listed-${appeal.slug}@example.org`, status: "CONFIRMED", listed: true });
      await addSigner(t, appeal.id, { email: `quiet-${appeal.slug}@example.org`, status: "CONFIRMED", listed: false });
    }
    await closeAppeal(t, due.id, new Date(Date.now() - 40 * day), 1);
    await closeAppeal(t, notYet.id, new Date(Date.now() - 150 * day), 6);
    await closeAppeal(t, longRetention.id, new Date(Date.now() - 400 * day), 24);
    const untouched = [notYet, open, longRetention];
    const beforeUntouched = await Promise.all(untouched.map((appeal) => signaturesOf(t, appeal.id)));

    assert.deepEqual((await erasePersonalDataOfClosedAppeals(t.db)).map((appeal) => appeal.slug), [due.slug]);
    assert.deepEqual(await Promise.all(untouched.map((appeal) => signaturesOf(t, appeal.id))), beforeUntouched);
    for (const appeal of untouched) assert.equal((await t.db.appeal.findUniqueOrThrow({ where: { id: appeal.id } })).personalDataErasedAt, null);

    const erasedOnce = await signaturesOf(t, due.id);
    const appealOnce = await t.db.appeal.findUniqueOrThrow({ where: { id: due.id } });
    assert.deepEqual(await erasePersonalDataOfClosedAppeals(t.db), [], "nothing is due any more");
    assert.deepEqual(await signaturesOf(t, due.id), erasedOnce);
    assert.deepEqual(await t.db.appeal.findUniqueOrThrow({ where: { id: due.id } }), appealOnce);
    assert.equal(await t.db.auditEvent.count({ where: { action: "appeal.personal-data-erased" } }), 1);
  });

  test("goes through a large appeal batch by batch, signatures made at the same moment included", async () => {
    const appeal = await createTestAppeal(t.db);
    const sameMoment = new Date("2026-03-01T12:00:00Z");
    for (let index = 0; index < 23; index++) {
      await addSigner(t, appeal.id, {
        email: `signer${String(index).padStart(2, "0")}@example.org`,
        status: index % 4 === 0 ? "PENDING" : "CONFIRMED",
        listed: index % 2 === 0,
        createdAt: index < 12 ? sameMoment : new Date(sameMoment.getTime() + index * 1000),
      });
    }
    await closeAppeal(t, appeal.id, new Date(Date.now() - 200 * day), 6);
    const countsBefore = await getSignatureCounts(t.db, appeal.id);

    const [erased] = await erasePersonalDataOfClosedAppeals(t.db, { batchSize: 4 });
    assert.equal(erased?.signatures, 23);
    const left = await t.db.signature.findMany({ where: { appealId: appeal.id, OR: [{ email: { not: "" } }, { city: { not: null } }, { networkAddress: { not: null } }] } });
    assert.deepEqual(left, [], "no signature was skipped between batches");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), countsBefore);
  });

  test("an appeal reopened and closed again after an erasure has its new signers erased in turn", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSigner(t, appeal.id, { email: "early@example.org", status: "CONFIRMED", listed: false });
    await closeAppeal(t, appeal.id, new Date(Date.now() - 100 * day), 1);
    await erasePersonalDataOfClosedAppeals(t.db);
    assert.equal((await getAppealOverview(t.db, appeal.id))?.erasure.state, "erased");

    await t.db.appeal.update({ where: { id: appeal.id }, data: { status: "PUBLISHED", closedAt: null } });
    assert.deepEqual((await getAppealOverview(t.db, appeal.id))?.erasure, { state: "afterClosing", months: 1 });
    await addSigner(t, appeal.id, { email: "late@example.org", status: "CONFIRMED", listed: false });
    await closeAppeal(t, appeal.id, new Date(), 1);
    assert.equal((await getAppealOverview(t.db, appeal.id))?.erasure.state, "scheduled");
    assert.equal((await erasePersonalDataOfClosedAppeals(t.db, { now: new Date(Date.now() + 32 * day) })).length, 1);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, email: { not: "" } } }), 0);
  });

  test("the date is counted in calendar months as Postgres counts them, and organizers see it", async () => {
    const cases: [string, number][] = [
      ["2026-08-31T18:30:00.000Z", 6],
      ["2027-08-31T18:30:00.000Z", 6],
      ["2026-01-31T00:00:00.000Z", 1],
      ["2026-05-15T09:15:00.000Z", 60],
      ["2026-12-31T23:59:59.999Z", 2],
    ];
    for (const [closedAt, months] of cases) {
      const [fromPostgres] = await t.db.$queryRaw<{ due: Date }[]>`
        SELECT (${new Date(closedAt)}::timestamptz AT TIME ZONE 'UTC' + make_interval(months => ${months}::int)) AT TIME ZONE 'UTC' AS due`;
      assert.equal(addCalendarMonths(new Date(closedAt), months).toISOString(), fromPostgres!.due.toISOString(), `${closedAt} + ${months} months`);
    }

    const appeal = await createTestAppeal(t.db);
    assert.deepEqual((await getAppealOverview(t.db, appeal.id))?.erasure, { state: "afterClosing", months: 6 });
    await closeAppeal(t, appeal.id, new Date("2026-08-31T18:30:00Z"), 6);
    assert.deepEqual((await getAppealOverview(t.db, appeal.id))?.erasure, { state: "scheduled", dueAt: new Date("2027-02-28T18:30:00Z"), months: 6 });
  });

  test("organizers choose from 1 to 60 months; shortening it for a long-closed appeal makes it due", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSigner(t, appeal.id, { email: "shortened@example.org", status: "CONFIRMED", listed: false });
    await closeAppeal(t, appeal.id, new Date(Date.now() - 70 * day), 6);
    const details = (await getAppealDetails(t.db, appeal.id))!;
    assert.equal(details.retentionMonths, "6");
    for (const wrong of ["0", "61", "six", "", "1.5", "-3"]) {
      const saved = await saveAppealDetails(t.db, appeal.id, { ...details, retentionMonths: wrong });
      assert.deepEqual(saved, { ok: false, fieldErrors: { retentionMonths: { id: "errors.retentionMonthsInvalid" } } }, `"${wrong}" is refused`);
    }
    assert.deepEqual(await erasePersonalDataOfClosedAppeals(t.db), []);
    assert.deepEqual(await saveAppealDetails(t.db, appeal.id, { ...details, retentionMonths: " 2 " }), { ok: true });
    assert.equal((await getAppealDetails(t.db, appeal.id))?.retentionMonths, "2");
    assert.equal((await erasePersonalDataOfClosedAppeals(t.db)).length, 1);
  });
});

describe("erasing network addresses after NETWORK_ADDRESS_RETENTION_DAYS", () => {
  const t = useDatabasePerTest();

  test("every signature older than the limit loses its address and browser, whatever its appeal; nothing else changes", async () => {
    const open = await createTestAppeal(t.db);
    const closed = await createTestAppeal(t.db);
    await closeAppeal(t, closed.id, new Date(Date.now() - 2 * day), 6);
    const old = new Date(Date.now() - 31 * day);
    const recent = new Date(Date.now() - 29 * day);
    const oldIds: string[] = [];
    for (const [index, appeal] of [open, closed, open, open, closed].entries()) {
      oldIds.push(await addSigner(t, appeal.id, { email: `old${index}@example.org`, status: index === 2 ? "HELD" : "CONFIRMED", listed: index % 2 === 0, createdAt: old }));
    }
    const recentId = await addSigner(t, open.id, { email: "recent@example.org", status: "PENDING", listed: true, createdAt: recent });
    const before = await t.db.signature.findMany({ orderBy: { id: "asc" } });

    assert.equal(await eraseOldNetworkAddresses(t.db, 30, { batchSize: 2 }), 5);
    const after = await t.db.signature.findMany({ orderBy: { id: "asc" } });
    assert.deepEqual(
      after,
      before.map((row) => (oldIds.includes(row.id) ? { ...row, networkAddress: null, userAgent: null } : row)),
    );
    assert.equal(after.find((row) => row.id === recentId)?.networkAddress, "198.51.100.23");
    assert.equal(await eraseOldNetworkAddresses(t.db, 30), 0, "running again finds nothing");
    assert.equal(await eraseOldNetworkAddresses(t.db, 7), 1, "a shorter setting reaches the recent one");
  });

  test("the worker's hourly job does both, with the configured number of days", async () => {
    assert.ok(
      parseCrontab(jobSchedule).some((item) => item.task === taskNames.erasePersonalData),
      "the job is in the worker's schedule",
    );
    const appeal = await createTestAppeal(t.db);
    const tenDaysOld = await addSigner(t, appeal.id, { email: "ten-days@example.org", status: "CONFIRMED", listed: true, createdAt: new Date(Date.now() - 10 * day) });
    const due = await createTestAppeal(t.db);
    await addSigner(t, due.id, { email: "due@example.org", status: "CONFIRMED", listed: false });
    await closeAppeal(t, due.id, new Date(Date.now() - 400 * day), 12);

    await t.db.$executeRaw`SELECT graphile_worker.add_job(${taskNames.erasePersonalData}::text, '{}'::json)`;
    // No email is queued: an SMTP address nothing listens on is never used.
    await runQueuedJobs({ databaseUrl: t.url, db: t.db, smtpUrl: "smtp://127.0.0.1:9", networkAddressRetentionDays: 7 });
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: tenDaysOld } })).networkAddress, null);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: tenDaysOld } })).email, "ten-days@example.org");
    assert.equal((await t.db.signature.findFirstOrThrow({ where: { appealId: due.id } })).email, "");
    const leftInQueue = await t.db.$queryRaw<{ task: string; error: string | null }[]>`SELECT task_identifier AS task, last_error AS error FROM graphile_worker.jobs`;
    assert.deepEqual(leftInQueue, [], "the job finished without an error");
  });
});
