import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeCursor, encodeCursor, listPublicSigners } from "~/domain/signers";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";

describe("the public list of signers", () => {
  const t = useDatabasePerTest();

  test("pages through every listed signer newest first, without repeats, skipping unlisted and unconfirmed", async () => {
    const appeal = await createTestAppeal(t.db);
    const base = Date.parse("2026-06-01T12:00:00Z");
    const rows = Array.from({ length: 45 }, (_, index) => ({
      appealId: appeal.id,
      fullName: `Signer ${index}`,
      email: `s${index}@example.org`,
      emailCanonical: `s${index}@example.org`,
      // Pairs share a timestamp so that ties are broken by id, as they must be.
      confirmedAt: new Date(base + Math.floor(index / 2) * 1000),
      status: index % 9 === 8 ? ("PENDING" as const) : ("CONFIRMED" as const),
      showPublicly: index % 5 !== 4,
    }));
    await t.db.signature.createMany({ data: rows });
    const expected = await t.db.signature.findMany({
      where: { appealId: appeal.id, status: "CONFIRMED", showPublicly: true },
      orderBy: [{ confirmedAt: "desc" }, { id: "desc" }],
      select: { fullName: true },
    });

    const seen: string[] = [];
    let after = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listPublicSigners(t.db, appeal.id, { after, limit: 10 });
      seen.push(...page.signers.map((s) => s.fullName));
      if (!page.nextCursor) break;
      after = decodeCursor(page.nextCursor);
    }
    assert.deepEqual(seen, expected.map((s) => s.fullName));
    assert.equal(seen.length, 32);
  });

  test("a cursor that was tampered with is refused", () => {
    assert.equal(decodeCursor("garbage"), null);
    assert.equal(decodeCursor(Buffer.from("2026-01-01|x").toString("base64url")), null);
    const position = { confirmedAt: new Date("2026-06-01T12:00:00.123Z"), id: "8d7c2b4e-4b0a-4f5e-9a51-0c7f2b0f9a11" };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
  });
});
