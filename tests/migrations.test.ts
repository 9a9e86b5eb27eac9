/**
 * Migrations against a real Postgres: TEST_DATABASE_URL's server when set, else an embedded
 * server in a temporary data directory. Each test works in its own new database, dropped after.
 *
 *   node --import tsx --test tests/migrations.test.ts
 */
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import pg from "pg";

import { startEmbeddedPostgres, type EmbeddedPostgres } from "~/local/embedded-postgres.server";
import { applyMigrations } from "~/infra/migrations.server";
import { checkMigrationDrift } from "~/infra/schema-diff.server";
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

describe("interrupted and failed migrations", () => {
  test("a migration recorded as started but never applied (an interrupted run of an older version) is applied on the next start", async () => {
    const databaseUrl = await createEmptyDatabase();
    const [first] = await migrationNamesOnDisk();
    const sql = await readFile(path.join(migrationsDirectory, first!, "migration.sql"));
    // What `prisma migrate deploy` leaves when stopped between recording a migration and running it.
    await query(databaseUrl, `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    await query(
      databaseUrl,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('${randomUUID()}', '${createHash("sha256").update(sql).digest("hex")}', '${first}')`,
    );

    const result = await applyMigrations(databaseUrl);
    assert.deepEqual(result.recovered, [first]);
    assert.deepEqual([first, ...result.applied], await migrationNamesOnDisk());
    const rows = await query<{ finished: boolean }>(databaseUrl, `SELECT finished_at IS NOT NULL AS finished FROM _prisma_migrations`);
    assert.ok(rows.every((row) => row.finished));
    await query(databaseUrl, `SELECT count(*) FROM "Signature"`);
  });

  test("a migration applied but not recorded as finished is only marked finished", async () => {
    const databaseUrl = await createEmptyDatabase();
    await applyMigrations(databaseUrl);
    const names = await migrationNamesOnDisk();
    const last = names.at(-1)!;
    await query(databaseUrl, `UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = '${last}'`);

    const result = await applyMigrations(databaseUrl);
    assert.deepEqual(result, { applied: [], recovered: [last] });
    const rows = await query<{ migration_name: string }>(databaseUrl, `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
    assert.deepEqual(rows.map((row) => row.migration_name).sort(), names);
  });

  test("a migration that fails leaves nothing of itself behind, and applies once it is fixed", async () => {
    const projectRoot = await mkdtemp(path.join(os.tmpdir(), "undersign-failing-migration-"));
    try {
      await cp(path.resolve("prisma"), path.join(projectRoot, "prisma"), { recursive: true });
      const broken = path.join(projectRoot, "prisma", "migrations", "29990101000000_broken");
      await mkdir(broken);
      await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE "HalfDone" ("id" INTEGER);\nSELECT no_such_function();\n`);
      const databaseUrl = await createEmptyDatabase();

      await assert.rejects(applyMigrations(databaseUrl, { projectRoot }), /Migration 29990101000000_broken failed, and nothing of it was applied/);
      const tables = await query<{ table_name: string }>(databaseUrl, `SELECT table_name FROM information_schema.tables WHERE table_name = 'HalfDone'`);
      assert.deepEqual(tables, [], "its first statement was rolled back with it");
      const recorded = await query<{ migration_name: string }>(databaseUrl, `SELECT migration_name FROM _prisma_migrations`);
      assert.ok(!recorded.some((row) => row.migration_name === "29990101000000_broken"), "no row blocks the next start");

      await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE "HalfDone" ("id" INTEGER);\n`);
      const fixed = await applyMigrations(databaseUrl, { projectRoot });
      assert.deepEqual(fixed.applied, ["29990101000000_broken"]);
    } finally {
      await rm(projectRoot, { recursive: true, force: true });
    }
  });
});
