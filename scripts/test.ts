/**
 * `npm test`: everything from a fresh `npm install` to a verdict, in one command.
 *
 *   generate the Prisma client → typecheck → lint → build → Postgres for tests → migration drift check →
 *   template database → integration tests (node:test) → browser journeys (Playwright)
 *
 * Postgres is TEST_DATABASE_URL's server when set, else an embedded one under
 * .data/test-postgres that never touches the data `npm start` uses.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { EmbeddedPostgres } from "~/local/embedded-postgres.server";
import { findChromium } from "../tests/support/chromium";

function step(title: string) {
  process.stdout.write(`\n▶ ${title}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function main() {
  const browser = findChromium();
  if ("problem" in browser) throw new Error(browser.problem);

  // On a fresh clone the Prisma client does not exist yet, and everything that touches the
  // database imports it: generate first, and load those modules only afterwards.
  step("Generate the Prisma client");
  await run("npm", ["run", "db:generate", "--silent"]);
  const { startEmbeddedPostgres } = await import("~/local/embedded-postgres.server");
  const { createLogger } = await import("~/infra/logger.server");
  const { applyMigrations } = await import("~/infra/migrations.server");
  const { checkMigrationDrift } = await import("~/infra/schema-diff.server");
  const { prepareQueue } = await import("~/infra/queue/worker.server");
  const { withAdminConnection } = await import("../tests/support/database");

  step("Typecheck");
  await run("npx", ["tsc"]);
  step("Lint");
  await run("npx", ["eslint", ".", "--max-warnings=0"]);
  step("Build");
  await run("npm", ["run", "build", "--silent"]);

  step("Postgres for tests");
  let embedded: EmbeddedPostgres | null = null;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.resolve(".data/test-postgres"), database: "postgres" });
    serverUrl = embedded.url;
  }
  const server = new URL(serverUrl);
  process.stdout.write(`  using ${server.host}${embedded ? " (embedded)" : " (TEST_DATABASE_URL)"}\n`);

  const templateName = `undersign_template_${randomBytes(4).toString("hex")}`;
  const templateUrl = new URL(server);
  templateUrl.pathname = `/${templateName}`;
  try {
    await withAdminConnection(server, (client) => client.query(`CREATE DATABASE "${templateName}"`));

    step("Migrations match schema.prisma");
    const drift = await checkMigrationDrift(templateUrl.toString());
    if (!drift.inSync) {
      throw new Error(
        `prisma/schema.prisma and prisma/migrations disagree. Create a migration with \`npm run db:diff -- <name>\`.\n${drift.sql}`,
      );
    }
    process.stdout.write("  in sync\n");

    step("Template database");
    const applied = await applyMigrations(templateUrl.toString());
    await prepareQueue(templateUrl.toString(), createLogger("warn"));
    process.stdout.write(`  ${applied.applied.length} migrations applied, job queue installed\n`);

    // TEST_DATABASE_URL names the server for tests that need one of their own (migrations).
    const env = {
      ...process.env,
      TEST_DATABASE_URL: server.toString(),
      UNDERSIGN_TEST_TEMPLATE_URL: templateUrl.toString(),
      CHROMIUM_PATH: browser.path,
    };
    step("Integration tests");
    const testFiles = readdirSync("tests").filter((name) => name.endsWith(".test.ts")).map((name) => path.join("tests", name));
    await run("node", ["--import", "tsx", "--test", "--test-concurrency=2", ...testFiles], env);
    step("Browser journeys");
    await run("npx", ["playwright", "test"], env);
  } finally {
    await withAdminConnection(server, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${templateName}" WITH (FORCE)`),
    ).catch(() => undefined);
    await embedded?.stop();
  }
}

main().then(
  () => process.stdout.write("\n✔ All tests passed\n"),
  (error: unknown) => {
    process.stderr.write(`\n✘ ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
