/**
 * A database that cannot be reached is "unavailable" (the visitor gets a 503, "try again in a
 * moment", not a 500) however the error reaches the app: the hot paths' statements go to `pg`
 * directly (queryDirect) and get Node's socket errors as they are, the rest through Prisma.
 * Needs no database.
 *
 *   node --import tsx --test tests/database-availability.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isDatabaseUnavailable } from "~/infra/database-availability.server";
import { createDatabaseClient, queryDirect, sql } from "~/infra/db.server";
import { freePort } from "./support/processes";

const timeouts = { connectMs: 2_000, queryMs: 2_000 };

for (const [what, url] of [
  ["a host that does not exist", "postgres://postgres@no-such-host.invalid:5432/undersign"],
  ["a port where nothing listens", async () => `postgres://postgres@127.0.0.1:${await freePort()}/undersign`],
] as const) {
  test(`${what}: unavailable, whether asked past Prisma or through it`, async () => {
    const db = createDatabaseClient(typeof url === "string" ? url : await url(), { timeouts });
    try {
      const direct = await queryDirect(db, sql`SELECT 1 AS one`).then(() => null, (error: unknown) => error);
      assert.ok(direct, "the statement failed");
      assert.ok(isDatabaseUnavailable(direct), `past Prisma: ${String(direct)}`);
      const throughPrisma = await db.$queryRaw`SELECT 1 AS one`.then(() => null, (error: unknown) => error);
      assert.ok(throughPrisma, "the statement failed");
      assert.ok(isDatabaseUnavailable(throughPrisma), `through Prisma: ${String(throughPrisma)}`);
    } finally {
      await db.$disconnect();
    }
  });
}
