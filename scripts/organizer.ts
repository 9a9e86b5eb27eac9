/**
 * Organizer accounts from the command line:
 *
 *   npm run organizer -- create --email a@example.org --name "Ada Lovelace" [--role owner|editor]
 *   npm run organizer -- link --email a@example.org      a new one-time link to set a password
 *   npm run organizer -- list
 *
 * `create` makes the first organizer (an owner unless --role editor) and prints a one-time link
 * to choose a password (valid 24 hours): there is no default account and no password on the
 * command line. It works on the database `npm start` uses with the same settings: DATABASE_URL,
 * else the embedded Postgres under DATA_DIR (shared with a running `npm start`).
 */
import { ensurePrismaClient, parseArguments } from "./support/command-line";

const usage = `Usage:
  npm run organizer -- create --email <address> --name "<name>" [--role owner|editor]
  npm run organizer -- link --email <address>
  npm run organizer -- list`;

class UsageError extends Error {}

async function main(): Promise<number> {
  const { words, options } = parseArguments(process.argv.slice(2));
  const command = words[0];
  if (!command || options.has("help") || !["create", "link", "list"].includes(command)) {
    console.error(usage);
    return command && !options.has("help") ? 2 : 0;
  }
  const text = (name: string) => {
    const value = options.get(name);
    if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} is missing.\n${usage}`);
    return value;
  };

  ensurePrismaClient();
  const { loadConfig } = await import("../app/infra/config.server.js");
  const { openDatabase } = await import("../app/infra/database-connection.server.js");
  const { applyMigrations } = await import("../app/infra/migrations.server.js");
  const { createDatabaseClient } = await import("../app/infra/db.server.js");
  const accounts = await import("../app/domain/organizer-accounts.server.js");

  const config = loadConfig();
  const database = await openDatabase(config, (line) => console.error(line));
  const db = createDatabaseClient(database.url, { maxConnections: 2 });
  try {
    await applyMigrations(database.url);
    const hours = (milliseconds: number) => Math.round(milliseconds / 3_600_000);
    if (command === "create") {
      const role = options.get("role");
      const created = await accounts.createOrganizerFromCommandLine(db, { email: text("email"), name: text("name"), role: typeof role === "string" ? role : undefined });
      if (!created.ok) {
        const problems = Object.entries(created.fieldErrors).map(([field, error]) => `--${field}: ${describeProblem(error?.id ?? "")}`);
        console.error(`The organizer was not created.\n  ${problems.join("\n  ")}`);
        return 2;
      }
      console.log(`Organizer created. To choose a password, open this link within ${hours(created.lifetimeMs)} hours (it works once):\n\n  ${config.publicUrl}${created.linkPath}\n`);
      return 0;
    }
    if (command === "link") {
      const link = await accounts.createPasswordLinkFromCommandLine(db, text("email"));
      if (!link) {
        console.error("There is no organizer with that email address. Create one with: npm run organizer -- create --email … --name …");
        return 2;
      }
      console.log(`Open this link within ${hours(link.lifetimeMs)} hours to choose a password (it works once):\n\n  ${config.publicUrl}${link.linkPath}\n`);
      return 0;
    }
    const organizers = await accounts.listOrganizers(db);
    if (organizers.length === 0) console.log("No organizers yet. Create the first with: npm run organizer -- create --email … --name …");
    for (const organizer of organizers) {
      console.log(`${organizer.role.toLowerCase().padEnd(6)}  ${organizer.email}  ${organizer.name}${organizer.hasPassword ? "" : "  (no password yet)"}`);
    }
    return 0;
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

function describeProblem(id: string): string {
  const messages: Record<string, string> = {
    "errors.emailRequired": "give an email address",
    "errors.emailInvalid": "this is not an email address",
    "errors.organizerNameRequired": "give the person's name",
    "errors.tooLong": "too long",
    "errors.roleRequired": "must be owner or editor",
    "errors.organizerExists": "an organizer with this email address already exists (npm run organizer -- link --email … prints a new link)",
  };
  return messages[id] ?? id;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const isPersonsMistake = error instanceof UsageError || (error instanceof Error && (error.name === "StartupError" || error.name === "ConfigError"));
    console.error(error instanceof Error ? (isPersonsMistake ? error.message : (error.stack ?? error.message)) : String(error));
    process.exit(isPersonsMistake ? 2 : 1);
  },
);
