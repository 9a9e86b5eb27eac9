import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSigningRateLimit } from "~/domain/signing-rate-limit";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";

describe("limiting signatures per network address and appeal", () => {
  const t = useDatabasePerTest();

  test("a burst beyond the per-minute limit is refused with a time to wait; others are unaffected", async () => {
    const [appeal, otherAppeal] = [await createTestAppeal(t.db), await createTestAppeal(t.db)];
    const limit = createSigningRateLimit(t.db, { perMinute: 3, perHour: 100 }, "secret");

    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limit.consume(appeal.id, "203.0.113.7"));
    assert.deepEqual(results.slice(0, 3), [{ allowed: true }, { allowed: true }, { allowed: true }]);
    for (const refused of results.slice(3)) {
      assert.equal(refused.allowed, false);
      assert.ok(!refused.allowed && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 60);
    }
    assert.deepEqual(await limit.consume(appeal.id, "198.51.100.20"), { allowed: true }, "another address");
    assert.deepEqual(await limit.consume(otherAppeal.id, "203.0.113.7"), { allowed: true }, "another appeal");
  });

  test("the hourly limit holds when the minutes are spread out, and waits up to an hour", async () => {
    const appeal = await createTestAppeal(t.db);
    const limit = createSigningRateLimit(t.db, { perMinute: 0, perHour: 2 }, "secret");
    await limit.consume(appeal.id, "2001:db8::1");
    await limit.consume(appeal.id, "2001:db8::1");
    const refused = await limit.consume(appeal.id, "2001:db8::1");
    assert.ok(!refused.allowed && refused.retryAfterSeconds > 60 && refused.retryAfterSeconds <= 3600);
  });

  test("concurrent submissions are all counted", async () => {
    const appeal = await createTestAppeal(t.db);
    const limit = createSigningRateLimit(t.db, { perMinute: 10, perHour: 0 }, "secret");
    const results = await Promise.all(Array.from({ length: 25 }, () => limit.consume(appeal.id, "203.0.113.9")));
    assert.equal(results.filter((r) => r.allowed).length, 10);
  });

  test("the counters never hold the address itself", async () => {
    const appeal = await createTestAppeal(t.db);
    await createSigningRateLimit(t.db, { perMinute: 5, perHour: 5 }, "secret").consume(appeal.id, "203.0.113.77");
    const keys = (await t.db.rateLimit.findMany()).map((row) => row.key);
    assert.equal(keys.length, 2);
    assert.ok(keys.every((key) => !key.includes("203.0.113.77")));
  });
});
