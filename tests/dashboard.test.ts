import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { confirmAndCount } from "~/domain/counts";
import { getAppealDashboard } from "~/domain/dashboard.server";
import { createWithdrawalToken, withdrawSignature } from "~/domain/withdrawals";
import type { Database } from "~/infra/db.server";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";

type Made = { status?: "PENDING" | "CONFIRMED" | "WITHDRAWN" | "HELD"; confirmedAt?: string; country?: string | null; role?: string; appealId?: string };

let serial = 0;
/** Signatures as they are stored, with the moments they were confirmed. */
async function makeSignatures(db: Database, appealId: string, signatures: Made[]) {
  await db.signature.createMany({
    data: signatures.map((made) => {
      serial += 1;
      const email = `signer${serial}@example.org`;
      return {
        appealId: made.appealId ?? appealId,
        fullName: `Signer ${String(serial).padStart(4, "0")}`,
        email,
        emailCanonical: email,
        role: made.role ?? null,
        country: made.country === undefined ? "DE" : made.country,
        status: made.status ?? "CONFIRMED",
        confirmedAt: made.confirmedAt ? new Date(made.confirmedAt) : null,
      };
    }),
  });
}

const bucketsOf = (buckets: { start: Date; signatures: number }[]) => buckets.map((bucket) => [bucket.start.toISOString(), bucket.signatures] as const);
const nonZero = (buckets: { start: Date; signatures: number }[]) => bucketsOf(buckets).filter(([, signatures]) => signatures > 0);

describe("the appeal dashboard", () => {
  const t = useDatabasePerTest();

  test("signatures per hour: 48 UTC hours ending with the running one, empty hours as 0, only this appeal's confirmed signatures", async () => {
    const appeal = await createTestAppeal(t.db, { publishedAt: new Date("2026-06-01T10:00:00Z") });
    const other = await createTestAppeal(t.db);
    const now = new Date("2026-06-10T12:30:00Z");
    await makeSignatures(t.db, appeal.id, [
      { confirmedAt: "2026-06-08T12:59:59.999Z" }, // just before the first hour shown
      { confirmedAt: "2026-06-08T13:00:00Z" }, // the first hour
      { confirmedAt: "2026-06-10T09:00:00Z" },
      { confirmedAt: "2026-06-10T09:59:59.999Z" },
      { confirmedAt: "2026-06-10T12:29:00Z" }, // the running hour
      { status: "WITHDRAWN", confirmedAt: "2026-06-10T11:00:00Z" },
      { status: "PENDING" },
      { status: "HELD" },
      { appealId: other.id, confirmedAt: "2026-06-10T11:00:00Z" },
    ]);

    const dashboard = await getAppealDashboard(t.db, appeal.id, now);
    assert.ok(dashboard);
    assert.equal(dashboard.perHour.length, 48);
    assert.equal(dashboard.perHour[0]?.start.toISOString(), "2026-06-08T13:00:00.000Z");
    assert.equal(dashboard.perHour[47]?.start.toISOString(), "2026-06-10T12:00:00.000Z");
    // Every hour is there once, one hour apart.
    dashboard.perHour.forEach((bucket, index) => assert.equal(bucket.start.getTime(), Date.parse("2026-06-08T13:00:00Z") + index * 3_600_000));
    assert.deepEqual(nonZero(dashboard.perHour), [
      ["2026-06-08T13:00:00.000Z", 1],
      ["2026-06-10T09:00:00.000Z", 2],
      ["2026-06-10T12:00:00.000Z", 1],
    ]);
    assert.equal(dashboard.perHour.filter((bucket) => bucket.signatures === 0).length, 45);
  });

  test("signatures per day: every UTC day from publication to today, empty days as 0, withdrawn ones not counted", async () => {
    const appeal = await createTestAppeal(t.db, { publishedAt: new Date("2026-06-01T22:00:00Z") });
    await makeSignatures(t.db, appeal.id, [
      { confirmedAt: "2026-06-01T23:59:59Z" },
      { confirmedAt: "2026-06-02T00:00:00Z" },
      { confirmedAt: "2026-06-02T23:00:00Z" },
      { confirmedAt: "2026-06-05T12:00:00Z" },
      { status: "WITHDRAWN", confirmedAt: "2026-06-05T13:00:00Z" },
      { status: "WITHDRAWN", confirmedAt: "2026-06-07T13:00:00Z" },
    ]);

    const dashboard = await getAppealDashboard(t.db, appeal.id, new Date("2026-06-07T08:00:00Z"));
    assert.ok(dashboard);
    assert.deepEqual(bucketsOf(dashboard.perDay), [
      ["2026-06-01T00:00:00.000Z", 1],
      ["2026-06-02T00:00:00.000Z", 2],
      ["2026-06-03T00:00:00.000Z", 0],
      ["2026-06-04T00:00:00.000Z", 0],
      ["2026-06-05T00:00:00.000Z", 1],
      ["2026-06-06T00:00:00.000Z", 0],
      ["2026-06-07T00:00:00.000Z", 0],
    ]);
  });

  test("a closed appeal's days end with its last confirmation; an appeal without signatures has its days, all 0", async () => {
    const closed = await createTestAppeal(t.db, { publishedAt: new Date("2026-06-01T10:00:00Z") });
    await t.db.appeal.update({ where: { id: closed.id }, data: { status: "CLOSED", closedAt: new Date("2026-06-03T18:00:00Z") } });
    await makeSignatures(t.db, closed.id, [{ confirmedAt: "2026-06-02T10:00:00Z" }, { confirmedAt: "2026-06-04T09:00:00Z" }]);
    const later = new Date("2026-09-01T00:00:00Z");
    const closedDashboard = await getAppealDashboard(t.db, closed.id, later);
    assert.deepEqual(bucketsOf(closedDashboard?.perDay ?? []), [
      ["2026-06-01T00:00:00.000Z", 0],
      ["2026-06-02T00:00:00.000Z", 1],
      ["2026-06-03T00:00:00.000Z", 0],
      ["2026-06-04T00:00:00.000Z", 1],
    ]);

    const quiet = await createTestAppeal(t.db, { publishedAt: new Date("2026-06-01T10:00:00Z") });
    const quietDashboard = await getAppealDashboard(t.db, quiet.id, new Date("2026-06-03T01:00:00Z"));
    assert.ok(quietDashboard);
    assert.deepEqual(bucketsOf(quietDashboard.perDay).map(([, signatures]) => signatures), [0, 0, 0]);
    assert.equal(quietDashboard.perHour.length, 48);
    assert.ok(quietDashboard.perHour.every((bucket) => bucket.signatures === 0));
    assert.deepEqual([quietDashboard.confirmed, quietDashboard.pending, quietDashboard.confirmationRate], [0, 0, null]);
    assert.deepEqual([quietDashboard.topCountries, quietDashboard.latestSigners], [[], []]);
  });

  test("counts from the counters, the confirmation rate, top countries and the latest signers without their emails", async () => {
    const appeal = await createTestAppeal(t.db);
    await makeSignatures(t.db, appeal.id, [
      { status: "PENDING", country: "KZ", role: "teacher" },
      { status: "PENDING", country: "KZ" },
      { status: "PENDING", country: "KZ" },
      { status: "PENDING", country: "FR" },
      { status: "PENDING", country: null },
      { status: "PENDING", country: "DE" },
      { status: "HELD", country: "FR" },
    ]);
    const signatures = await t.db.signature.findMany({ where: { appealId: appeal.id, status: "PENDING" }, orderBy: { fullName: "asc" } });
    // Confirmed one after another, as signers click their links; the last one then withdraws.
    for (const signature of signatures.slice(0, 5)) assert.ok(await confirmAndCount(t.db, signature.id));
    await withdrawSignature(t.db, await createWithdrawalToken(t.db, signatures[4]!.id), "en");

    const dashboard = await getAppealDashboard(t.db, appeal.id);
    assert.ok(dashboard);
    // 4 confirmed, 1 waiting (the withdrawn and the held one left out): 4 ÷ 5.
    assert.deepEqual([dashboard.confirmed, dashboard.pending, dashboard.confirmationRate], [4, 1, 0.8]);
    assert.deepEqual(dashboard.topCountries, [
      { country: "KZ", signatures: 3 },
      { country: "FR", signatures: 1 },
    ]);
    assert.deepEqual(
      dashboard.latestSigners.map((signer) => signer.fullName).sort(),
      signatures.slice(0, 4).map((signature) => signature.fullName).sort(),
    );
    assert.equal(dashboard.latestSigners.find((signer) => signer.role === "teacher")?.country, "KZ");
    for (const signer of dashboard.latestSigners) assert.deepEqual(Object.keys(signer).sort(), ["confirmedAt", "country", "fullName", "id", "role"]);
    assert.equal(nonZero(dashboard.perHour).reduce((sum, [, signatures]) => sum + signatures, 0), 4);
    assert.equal(dashboard.perDay.reduce((sum, bucket) => sum + bucket.signatures, 0), 4);
  });

  test("an unknown or malformed appeal id has no dashboard", async () => {
    assert.equal(await getAppealDashboard(t.db, "8d7c2b4e-4b0a-4f5e-9a51-0c7f2b0f9a11"), null);
    assert.equal(await getAppealDashboard(t.db, "not-an-id"), null);
  });
});
