import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { createDatabaseClient } from "~/infra/db.server";
import { loader } from "~/routes/healthz";
import { testLoadContext } from "./support/context";
import { createTestDatabase } from "./support/database";

async function health(databaseUrl: string) {
  const db = createDatabaseClient(databaseUrl);
  const context = testLoadContext(db, databaseUrl);
  try {
    const response = await loader({ request: new Request("http://localhost/healthz"), params: {}, context });
    return { status: response.status, body: await response.json() };
  } finally {
    await context.close();
    await db.$disconnect();
  }
}

/** A port on loopback where nothing answers Postgres: a database that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== "object") throw new Error("no port");
  return address.port;
}

describe("GET /healthz", () => {
  test("answers 200 with the database status when Postgres is up", async () => {
    const database = await createTestDatabase();
    try {
      assert.deepEqual(await health(database.url), { status: 200, body: { status: "ok", database: "ok" } });
    } finally {
      await database.drop();
    }
  });

  test("answers 503 when the database is unreachable", async () => {
    const port = await closedPort();
    assert.deepEqual(await health(`postgres://postgres@127.0.0.1:${port}/undersign`), {
      status: 503,
      body: { status: "error", database: "unreachable" },
    });
  });
});
