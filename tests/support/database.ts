import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach } from "node:test";
import pg from "pg";
import { createDatabaseClient, type Database } from "~/infra/db.server";
import { readMigrationFiles } from "~/infra/migrations.server";

/**
 * Each test gets its own database, cloned from a template that `npm test` migrated once
 * (scripts/test.ts). Cloning takes a few tens of milliseconds and nothing leaks between tests.
 * A test file run on its own (`node --import tsx --test tests/x.test.ts`) makes or reuses a
 * template itself, on TEST_DATABASE_URL's server or the embedded one under .data/test-postgres.
 */
export type TestDatabase = { url: string; db: Database; drop: () => Promise<void> };

let templateForThisRun: Promise<string> | null = null;

export function templateDatabaseUrl(): Promise<string> {
  const fromTestCommand = process.env.UNDERSIGN_TEST_TEMPLATE_URL;
  if (fromTestCommand) return Promise.resolve(fromTestCommand);
  templateForThisRun ??= prepareTemplateOnItsOwn();
  return templateForThisRun;
}

/**
 * A template named after the migrations and the job queue's version, so a changed migration
 * gets a new one; an existing one is reused, which keeps a single file's run to seconds.
 */
async function prepareTemplateOnItsOwn(): Promise<string> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await import("~/local/embedded-postgres.server");
    // Shared with `npm test` or another file if one runs it; else started, and stopped at exit.
    serverUrl = (await startEmbeddedPostgres({ dataDir: path.resolve(".data/test-postgres"), database: "postgres" })).url;
  }
  const fingerprint = createHash("sha256");
  for (const migration of await readMigrationFiles(path.resolve("prisma/migrations"))) fingerprint.update(`${migration.name}:${migration.sql ?? ""}`);
  fingerprint.update(JSON.parse(readFileSync(path.resolve("node_modules/graphile-worker/package.json"), "utf8")).version as string);
  const name = `undersign_template_${fingerprint.digest("hex").slice(0, 16)}`;
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${name}`;

  await withAdminConnection(new URL(serverUrl), async (client) => {
    // One process prepares it; others running at the same moment wait, then find it ready.
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
    const ready = await client.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [name]);
    if (ready.rowCount) return;
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
    const { applyMigrations } = await import("~/infra/migrations.server");
    const { prepareQueue } = await import("~/infra/queue/worker.server");
    const { createLogger } = await import("~/infra/logger.server");
    await applyMigrations(templateUrl.toString());
    await prepareQueue(templateUrl.toString(), createLogger("warn"));
    // Marked only when complete, so an interrupted preparation is redone, never used.
    await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
  });
  return templateUrl.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = new URL(await templateDatabaseUrl());
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
