/**
 * Migrations against a real Postgres: TEST_DATABASE_URL's server when set, else an embedded
 * server in a temporary data directory. Each test works in its own new database, dropped after.
 *
 *   node --import tsx --test tests/migrations.test.ts
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { startEmbeddedPostgres, type EmbeddedPostgres } from "~/infra/embedded-postgres.server";
import { applyMigrations, checkMigrationDrift } from "~/infra/migrations.server";
import { withAdminConnection } from "./support/database";

const migrationsDirectory = path.resolve("prisma", "migrations");

let serverUrl: string;
let embedded: EmbeddedPostgres | null = null;
let embeddedDataDir: string | null = null;
const createdDatabases: string[] = [];

before(async () => {
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
    return;
  }
  embeddedDataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-migrations-test-"));
  embedded = await startEmbeddedPostgres({ dataDir: embeddedDataDir, database: "postgres" });
  serverUrl = embedded.url;
  // An interrupted run would otherwise leave the server running in a directory nobody reuses.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      // Then the signal again, now with its default action (we listened only once): the run ends.
      void removeEmbeddedServer().finally(() => process.kill(process.pid, signal));
    });
  }
});

async function removeEmbeddedServer(): Promise<void> {
  await embedded?.stop();
  if (embeddedDataDir) await rm(embeddedDataDir, { recursive: true, force: true });
}

after(async () => {
  for (const name of createdDatabases) {
    await withMaintenanceConnection((client) =>
      client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  }
  await removeEmbeddedServer();
});

function withMaintenanceConnection<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withAdminConnection(new URL(serverUrl), work);
}

/** A new, empty database on the test server; dropped when the file's tests are done. */
async function createEmptyDatabase(): Promise<string> {
  const name = `undersign_migrations_test_${randomBytes(5).toString("hex")}`;
  await withMaintenanceConnection((client) =>
    client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`),
  );
  createdDatabases.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<Row extends pg.QueryResultRow>(databaseUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function migrationNamesOnDisk(): Promise<string[]> {
  const entries = await readdir(migrationsDirectory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

test("applying migrations to an empty database creates the tables and records each migration", async () => {
  const databaseUrl = await createEmptyDatabase();
  const expectedNames = await migrationNamesOnDisk();
  assert.ok(expectedNames.length > 0, "the repository has at least one migration");

  const { applied } = await applyMigrations(databaseUrl);
  assert.deepEqual(applied, expectedNames);

  const tables = await query<{ table_name: string }>(
    databaseUrl,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  assert.ok(tables.some((table) => table.table_name === "Signature"), "Signature table exists");

  const recorded = await query<{ migration_name: string; checksum: string; finished: boolean }>(
    databaseUrl,
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished
       FROM _prisma_migrations ORDER BY migration_name`,
  );
  assert.deepEqual(
    recorded.map((row) => row.migration_name),
    expectedNames,
  );
  for (const row of recorded) {
    // The same checksum `prisma migrate deploy` records: SHA-256 of migration.sql.
    const sql = await readFile(path.join(migrationsDirectory, row.migration_name, "migration.sql"));
    assert.equal(row.checksum, createHash("sha256").update(sql).digest("hex"));
    assert.equal(row.finished, true);
  }

  const second = await applyMigrations(databaseUrl);
  assert.deepEqual(second.applied, [], "applying again applies nothing");
});

test("concurrent applyMigrations calls (like two processes starting at once) apply each migration once", async () => {
  const databaseUrl = await createEmptyDatabase();
  const [first, second] = await Promise.all([
    applyMigrations(databaseUrl),
    applyMigrations(databaseUrl),
  ]);
  assert.deepEqual([...first.applied, ...second.applied].sort(), await migrationNamesOnDisk());

  const recorded = await query<{ count: string }>(
    databaseUrl,
    "SELECT count(*) AS count FROM _prisma_migrations",
  );
  assert.equal(Number(recorded[0]?.count), (await migrationNamesOnDisk()).length);
});

test("the repository's migrations match schema.prisma", async () => {
  const drift = await checkMigrationDrift(serverUrl);
  assert.equal(drift.inSync, true, `schema.prisma has changes without a migration:\n${drift.sql}`);
});

test("a schema change without a migration is reported as drift, with the SQL it needs", async () => {
  const projectRoot = await mkdtemp(path.join(os.tmpdir(), "undersign-drift-test-"));
  try {
    await cp(path.resolve("prisma"), path.join(projectRoot, "prisma"), { recursive: true });
    const schemaFile = path.join(projectRoot, "prisma", "schema.prisma");
    const schema = await readFile(schemaFile, "utf8");
    await writeFile(
      schemaFile,
      schema.replace(/^(model Signature \{\n)/m, "$1  driftProbe String?\n"),
    );

    const drift = await checkMigrationDrift(serverUrl, { projectRoot });
    assert.equal(drift.inSync, false);
    assert.match(drift.sql, /ALTER TABLE "Signature" ADD COLUMN\s+"driftProbe" TEXT/);
  } finally {
    await rm(projectRoot, { recursive: true, force: true });
  }
});
