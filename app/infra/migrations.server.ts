/**
 * Applies the migrations in prisma/migrations, as `prisma migrate deploy` would, with the same
 * `_prisma_migrations` bookkeeping (checksum = SHA-256 of migration.sql), so the Prisma CLI and
 * this runner can take turns on one database.
 *
 * Unlike `prisma migrate deploy`, each migration and its bookkeeping row commit in one
 * transaction: a start interrupted at any moment (Ctrl+C, a killed container) leaves the
 * migration either wholly applied and recorded, or not at all — never a "failed migration" that
 * blocks every later start. Where Postgres refuses a statement inside a transaction
 * (`CREATE INDEX CONCURRENTLY`…), that migration runs the way Prisma runs it, outside one.
 * An unfinished row left by an older version of this runner, or by the Prisma CLI, is
 * recovered (see recoverUnfinishedMigration). docs/decisions/006-transactional-migrations.md.
 *
 * Writing migrations and checking drift is development tooling: schema-diff.server.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";

export interface MigrationOptions {
  /** Directory holding `prisma/`. Defaults to process.cwd(). */
  projectRoot?: string;
  /** Receives progress lines. Nothing is printed when it is absent. */
  log?: (line: string) => void;
}

export interface ApplyMigrationsResult {
  /** Names (directory names) of the migrations applied by this call, oldest first. */
  applied: string[];
  /** Migrations an interrupted earlier run had left unfinished, and this call settled. */
  recovered: string[];
}

export interface PrismaPaths {
  schemaFile: string;
  migrationsDirectory: string;
}

export function resolvePrismaPaths(options: MigrationOptions): PrismaPaths {
  const projectRoot = path.resolve(options.projectRoot ?? process.cwd());
  return {
    schemaFile: path.join(projectRoot, "prisma", "schema.prisma"),
    migrationsDirectory: path.join(projectRoot, "prisma", "migrations"),
  };
}

export type MigrationFile = { name: string; sql: string; checksum: string } | { name: string; sql: null; problem: string };

/** Every migration directory, oldest first (names start with a UTC timestamp). */
export async function readMigrationFiles(migrationsDirectory: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDirectory, { withFileTypes: true }).catch((error: unknown) =>
    isErrnoException(error, "ENOENT") ? [] : Promise.reject(error),
  );
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name): Promise<MigrationFile> => {
      try {
        const bytes = await readFile(path.join(migrationsDirectory, name, "migration.sql"));
        return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
      } catch (error) {
        return { name, sql: null, problem: describeError(error) };
      }
    }),
  );
}

/**
 * Key of the session advisory lock that serialises applyMigrations across processes: every
 * process may call it at start; one migrates while the others wait, then find nothing to do.
 */
const APPLY_MIGRATIONS_LOCK_KEY = "7531902468013572";

// Prisma's own definition, so that `prisma migrate` recognises the table.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

type MigrationRow = { id: string; migration_name: string; checksum: string; finished: boolean; rolled_back: boolean; failed: boolean };

/**
 * Applies every migration the database has not recorded yet. Creates the database if it does
 * not exist. Safe to call on every start and from several processes at once.
 */
export async function applyMigrations(databaseUrl: string, options: MigrationOptions = {}): Promise<ApplyMigrationsResult> {
  const log = options.log ?? ignoreLog;
  const migrations = await readMigrationFiles(resolvePrismaPaths(options).migrationsDirectory);
  const unreadable = migrations.find((migration) => migration.sql === null);
  if (unreadable && unreadable.sql === null) throw new Error(`Migration ${unreadable.name} cannot be read: ${unreadable.problem}`);

  const client = await connectCreatingDatabaseIfMissing(databaseUrl, log);
  // Without a listener, a server closing this session would crash the process.
  client.on("error", (error) => log(`migration connection failed: ${error.message}`));
  try {
    await acquireAdvisoryLock(client, log);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const rows = (
      await client.query<MigrationRow>(
        `SELECT id, migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back,
                logs IS NOT NULL AS failed
           FROM "_prisma_migrations" ORDER BY started_at`,
      )
    ).rows;

    const recovered: string[] = [];
    const done = new Set(rows.filter((row) => row.finished && !row.rolled_back).map((row) => row.migration_name));
    for (const row of rows.filter((candidate) => !candidate.finished && !candidate.rolled_back)) {
      if (done.has(row.migration_name)) {
        // A later attempt succeeded; the unfinished row is only history.
        await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1`, [row.id]);
        continue;
      }
      const migration = migrations.find((candidate) => candidate.name === row.migration_name);
      if (!migration || migration.sql === null) {
        throw new Error(
          `Migration ${row.migration_name} was left unfinished by an interrupted run and is no longer in prisma/migrations; restore it, then start again.`,
        );
      }
      await recoverUnfinishedMigration(client, row, migration, log);
      recovered.push(row.migration_name);
      done.add(row.migration_name);
    }

    for (const row of rows) {
      const migration = migrations.find((candidate) => candidate.name === row.migration_name);
      if (row.finished && !row.rolled_back && migration?.sql != null && migration.checksum !== row.checksum) {
        log(`warning: migration ${row.migration_name} was changed after it was applied; the database keeps the old version`);
      }
    }

    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name) || migration.sql === null) continue;
      await applyOneMigration(client, migration, log);
      applied.push(migration.name);
    }
    return { applied, recovered };
  } finally {
    // Ending the session releases the advisory lock even if the unlock query is never sent.
    await client.end().catch(ignoreError);
  }
}

/** The migration, its row and the row's completion in one transaction. */
async function applyOneMigration(client: pg.Client, migration: { name: string; sql: string; checksum: string }, log: (line: string) => void) {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [
      id,
      migration.checksum,
      migration.name,
    ]);
    // No parameters: pg sends the script with the simple query protocol, which runs any number
    // of statements (and $$ bodies) inside the open transaction.
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query("COMMIT");
    log(`applied migration ${migration.name}`);
  } catch (error) {
    await client.query("ROLLBACK").catch(ignoreError);
    if (isPostgresError(error, ACTIVE_SQL_TRANSACTION)) {
      log(`migration ${migration.name} cannot run inside a transaction; applying it the way Prisma does`);
      await applyOutsideTransaction(client, migration, log);
      return;
    }
    throw new Error(`Migration ${migration.name} failed, and nothing of it was applied: ${describeError(error)}`, { cause: error });
  }
}

/**
 * For statements Postgres refuses in a transaction: the row first, then the script, then the
 * row's completion, as `prisma migrate deploy` does. An interruption here leaves an unfinished
 * row, which the next start tries to recover.
 */
async function applyOutsideTransaction(client: pg.Client, migration: { name: string; sql: string; checksum: string }, log: (line: string) => void) {
  const id = randomUUID();
  await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [
    id,
    migration.checksum,
    migration.name,
  ]);
  try {
    await client.query(migration.sql);
  } catch (error) {
    await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, describeError(error)]).catch(ignoreError);
    throw new Error(`Migration ${migration.name} failed: ${describeError(error)}`, { cause: error });
  }
  await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
  log(`applied migration ${migration.name}`);
}

// SQLSTATEs
const ACTIVE_SQL_TRANSACTION = "25001"; // "cannot run inside a transaction block"
const UNDEFINED_DATABASE = "3D000";
const DUPLICATE_DATABASE = "42P04";
// What a CREATE DATABASE reports instead of 42P04 when it races another one for the same name.
const UNIQUE_VIOLATION = "23505";
/**
 * What re-running a script that was applied reports on its first statement: an object it
 * creates already exists (42P07, 42710, 42701, 42P06, 42723), or one it drops or alters is
 * already gone (42P01, 42703, 42704).
 */
const SIGNS_OF_AN_APPLIED_SCRIPT = new Set(["42P07", "42710", "42701", "42P06", "42723", "42P01", "42703", "42704"]);

/**
 * A row with neither finished_at nor rolled_back_at. Without logs, an earlier run recorded the
 * migration and was interrupted before recording its end; scripts were always sent as one
 * statement batch, which Postgres runs atomically, so the migration is either wholly in the
 * database or not at all. We find out which by running it again inside a transaction: if it
 * goes through, it had not been applied, and now is (recorded in the same transaction); if its
 * first statement finds its work already done, only the bookkeeping is completed.
 * With logs, the migration failed (Prisma CLI); it is retried, and only success settles it.
 */
async function recoverUnfinishedMigration(
  client: pg.Client,
  row: MigrationRow,
  migration: { name: string; sql: string; checksum: string },
  log: (line: string) => void,
) {
  await client.query("BEGIN");
  try {
    await client.query("SAVEPOINT before_script");
    let alreadyApplied = false;
    try {
      await client.query(migration.sql);
    } catch (error) {
      if (row.failed || !SIGNS_OF_AN_APPLIED_SCRIPT.has(sqlStateOf(error))) throw error;
      alreadyApplied = true;
      await client.query("ROLLBACK TO SAVEPOINT before_script");
    }
    const note = alreadyApplied
      ? "Recovered by Undersign: an interrupted run had applied this migration without recording its end."
      : "Recovered by Undersign: an interrupted run had recorded this migration without applying it; applied again.";
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1, checksum = $2,
              logs = coalesce(logs || E'\\n', '') || $3 WHERE id = $1`,
      [row.id, migration.checksum, note],
    );
    await client.query("COMMIT");
    log(`recovered migration ${migration.name}, left unfinished by an interrupted run (${alreadyApplied ? "it had been applied" : "applied now"})`);
  } catch (error) {
    await client.query("ROLLBACK").catch(ignoreError);
    throw new Error(
      `Migration ${migration.name} was left unfinished by an earlier run and cannot be completed: ${describeError(error)}. ` +
        `Fix prisma/migrations/${migration.name}/migration.sql (or the database), then start again.`,
      { cause: error },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Connections and locking
// ---------------------------------------------------------------------------------------------

/** `postgres://u@h/app?x=1` + `other` → `postgres://u@h/other?x=1`. */
export function withDatabaseName(databaseUrl: string, databaseName: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(databaseName)}`;
  return url.toString();
}

function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
}

/**
 * Opens the session that holds the advisory lock. `prisma migrate deploy` creates a missing
 * database, and so do we, so a fresh server needs no manual step.
 */
async function connectCreatingDatabaseIfMissing(databaseUrl: string, log: (line: string) => void): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(ignoreError);
    if (!isPostgresError(error, UNDEFINED_DATABASE)) throw error;
  }

  const databaseName = databaseNameOf(databaseUrl);
  const maintenance = new pg.Client({ connectionString: withDatabaseName(databaseUrl, "postgres") });
  await maintenance.connect();
  try {
    await maintenance.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    log(`created database ${databaseName}`);
  } catch (error) {
    // Another process created it between our two attempts: just as good.
    if (!isPostgresError(error, DUPLICATE_DATABASE) && !isPostgresError(error, UNIQUE_VIOLATION)) throw error;
  } finally {
    await maintenance.end().catch(ignoreError);
  }

  const retry = new pg.Client({ connectionString: databaseUrl });
  await retry.connect();
  return retry;
}

async function acquireAdvisoryLock(client: pg.Client, log: (line: string) => void): Promise<void> {
  const attempt = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [APPLY_MIGRATIONS_LOCK_KEY]);
  if (attempt.rows[0]?.locked) return;
  log("another process is applying migrations; waiting for it to finish");
  await client.query("SELECT pg_advisory_lock($1::bigint)", [APPLY_MIGRATIONS_LOCK_KEY]);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function ignoreLog(): void {}

function ignoreError(): void {}

function isErrnoException(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function sqlStateOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function isPostgresError(error: unknown, sqlState: string): boolean {
  return sqlStateOf(error) === sqlState;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
