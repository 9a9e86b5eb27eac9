/**
 * Database migrations from the command line (run with tsx from the project root):
 *
 *   npm run db:migrate              apply pending migrations (like `prisma migrate deploy`)
 *   npm run db:diff -- <name>       write a migration for the changes in schema.prisma
 *   npm run db:check                exit 1 if schema.prisma has changes without a migration
 *
 * Uses the same database `npm start` would with the same settings (DATABASE_URL, else the
 * embedded cluster under DATA_DIR, started for the duration of the command or shared with the
 * running app). `diff` and `check` only need a server to create a temporary shadow database on;
 * they do not change the database itself.
 * Add --verbose to see the server's and the schema engine's log.
 */
import path from "node:path";

import { loadDatabaseSettings, StartupError } from "../app/infra/config.server.js";
import { openDatabase } from "../app/infra/database-connection.server.js";
import { applyMigrations } from "../app/infra/migrations.server.js";

const USAGE = `Usage: tsx scripts/db.ts <command> [--verbose]

Commands:
  migrate        apply pending migrations from prisma/migrations
  diff <name>    write prisma/migrations/<timestamp>_<name>/migration.sql from schema.prisma
  check          exit 1 when schema.prisma and prisma/migrations disagree

Uses DATABASE_URL if set, else the embedded cluster under DATA_DIR (default ./.data).`;

type Command = { name: "migrate" } | { name: "diff"; migrationName: string } | { name: "check" };

function parseCommand(args: string[]): Command | null {
  const [name, ...rest] = args;
  if (name === "migrate" && rest.length === 0) return { name };
  if (name === "check" && rest.length === 0) return { name };
  if (name === "diff" && rest.length > 0) return { name, migrationName: rest.join(" ") };
  return null;
}

async function main(): Promise<number> {
  const rawArgs = process.argv.slice(2);
  const verbose = rawArgs.includes("--verbose") || rawArgs.includes("-v");
  const command = parseCommand(rawArgs.filter((arg) => arg !== "--verbose" && arg !== "-v"));
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const log = verbose ? (line: string) => console.error(`  ${line}`) : undefined;

  const database = await connectToDatabase(log);
  try {
    return await runCommand(command, database.url, log);
  } finally {
    await database.stop();
  }
}

async function connectToDatabase(log: ((line: string) => void) | undefined): Promise<{ url: string; stop: () => Promise<void> }> {
  const settings = loadDatabaseSettings();
  const startedAt = performance.now();
  const database = await openDatabase(settings, (line) => console.error(line), { debug: log });
  console.error(`Database: ${database.description} (${Math.round(performance.now() - startedAt)} ms)`);
  return database;
}

async function runCommand(
  command: Command,
  databaseUrl: string,
  log: ((line: string) => void) | undefined,
): Promise<number> {
  const startedAt = performance.now();
  const took = () => `${Math.round(performance.now() - startedAt)} ms`;

  switch (command.name) {
    case "migrate": {
      const { applied } = await applyMigrations(databaseUrl, { log });
      if (applied.length === 0) console.log(`No pending migrations (${took()}).`);
      else console.log(`Applied ${applied.length} migration(s) (${took()}):\n  ${applied.join("\n  ")}`);
      return 0;
    }
    case "diff": {
      // The schema engine (WebAssembly) is a development dependency: only diff and check need it.
      const { createMigration } = await import("../app/infra/schema-diff.server.js");
      const { directory, sql } = await createMigration(databaseUrl, command.migrationName, { log });
      if (directory === null) {
        console.log(`schema.prisma matches prisma/migrations: nothing to write (${took()}).`);
        return 0;
      }
      const file = path.relative(process.cwd(), path.join(directory, "migration.sql"));
      console.log(`${sql.trimEnd()}\n\nWrote ${file} (${took()}). Review it, then npm run db:migrate.`);
      return 0;
    }
    case "check": {
      const { checkMigrationDrift } = await import("../app/infra/schema-diff.server.js");
      const { inSync, sql } = await checkMigrationDrift(databaseUrl, { log });
      if (inSync) {
        console.log(`schema.prisma and prisma/migrations agree (${took()}).`);
        return 0;
      }
      console.error(
        "schema.prisma has changes that no migration in prisma/migrations contains.\n" +
          "Create one with: npm run db:diff -- <short_name>\n" +
          "SQL needed to bring the migrations up to schema.prisma:\n\n" +
          sql.trimEnd(),
      );
      return 1;
    }
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    const showStack = !(error instanceof StartupError) && (process.argv.includes("--verbose") || process.argv.includes("-v"));
    if (error instanceof Error) console.error(showStack ? (error.stack ?? error.message) : error.message);
    else console.error(String(error));
    process.exit(1);
  },
);
