import { randomBytes } from "node:crypto";
import { afterEach, beforeEach } from "node:test";
import pg from "pg";
import { createDatabaseClient, type Database } from "~/infra/db.server";

/**
 * Each test gets its own database, cloned from a template that `npm test` migrated once
 * (scripts/test.ts). Cloning takes a few tens of milliseconds and nothing leaks between tests.
 */
export type TestDatabase = { url: string; db: Database; drop: () => Promise<void> };

export function templateDatabaseUrl(): string {
  const url = process.env.UNDERSIGN_TEST_TEMPLATE_URL;
  if (!url) throw new Error("UNDERSIGN_TEST_TEMPLATE_URL is not set: run the tests with `npm test`.");
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = new URL(templateDatabaseUrl());
  const templateName = template.pathname.slice(1);
  const name = `undersign_t_${randomBytes(6).toString("hex")}`;
  await withAdminConnection(template, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`));
  const url = new URL(template);
  url.pathname = `/${name}`;
  const db = createDatabaseClient(url.toString(), { maxConnections: 20 });
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.$disconnect();
      await withAdminConnection(template, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** CREATE/DROP DATABASE run from the server's maintenance database, never the template itself. */
export async function withAdminConnection<T>(serverUrl: URL, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Inside a `describe`: a fresh database for every test, dropped after it. The returned object
 * always points at the current test's database.
 */
export function useDatabasePerTest(): TestDatabase {
  let current: TestDatabase | null = null;
  const active = () => {
    if (!current) throw new Error("the test database exists only while a test runs");
    return current;
  };
  beforeEach(async () => {
    current = await createTestDatabase();
  });
  afterEach(async () => {
    await current?.drop();
    current = null;
  });
  return {
    get url() {
      return active().url;
    },
    get db() {
      return active().db;
    },
    drop: () => active().drop(),
  };
}
