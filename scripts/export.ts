/**
 * The confirmed signatures of one appeal, from the command line, by the same rules and code as
 * the organizer area's download (app/domain/exports.server.ts), recorded in the audit log as
 * done by "command line". The file goes to standard output; messages to standard error.
 *
 *   npm run export -- --appeal <slug> --format csv > signatures.csv
 *
 * Uses the same database `npm start` would with the same settings (DATABASE_URL, else the
 * embedded cluster under DATA_DIR, shared with a running app).
 */
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  countSignaturesToExport,
  findExportableAppeal,
  isExportFormat,
  openSignatureExport,
  parseExportChoices,
  type ExportChoices,
  type ExportFormat,
} from "../app/domain/exports.server.js";
import { createTranslator } from "../app/i18n/languages.server.js";
import { loadDatabaseSettings, StartupError } from "../app/infra/config.server.js";
import { openDatabase } from "../app/infra/database-connection.server.js";
import { createDatabaseClient } from "../app/infra/db.server.js";
import { applyMigrations } from "../app/infra/migrations.server.js";

const USAGE = `Usage: npm run export -- --appeal <slug> --format csv|json [options] > file

Writes the confirmed signatures of one appeal to standard output, oldest confirmation first.

Options:
  --appeal <slug>     the appeal, by the slug in its address (/appeals/<slug>)
  --format csv|json   CSV for spreadsheets (formula-safe), JSON for programs
  --listed-only       only signers who chose to be on the public list
  --from YYYY-MM-DD   confirmed on or after this day (UTC)
  --to YYYY-MM-DD     confirmed on or before this day (UTC)
  --bom               start a CSV with a byte order mark, for Microsoft Excel
  --help              show this text

The file holds personal data: keep it only where it has to be, and delete it when it is no
longer needed. Every export is recorded in the audit log.
Uses DATABASE_URL if set, else the embedded database under DATA_DIR (default ./.data).`;

/** A mistake in how the command was called: one sentence, exit code 2. */
class UsageError extends Error {}

type ExportCommand = { slug: string; format: ExportFormat; choices: ExportChoices };

const say = (line: string) => process.stderr.write(`${line}\n`);

function parseCommandLine(args: string[]): ExportCommand | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        appeal: { type: "string" },
        format: { type: "string" },
        "listed-only": { type: "boolean" },
        from: { type: "string" },
        to: { type: "string" },
        bom: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError(describeArgumentError(error));
  }
  if (values.help) return "help";
  if (!values.appeal) throw new UsageError("Name the appeal with --appeal <slug> (see --help).");
  if (!values.format || !isExportFormat(values.format)) throw new UsageError("Choose the file format with --format csv or --format json.");

  const choices = parseExportChoices({ scope: values["listed-only"] ? "listed" : "all", from: values.from, to: values.to, bom: values.bom ? "on" : undefined });
  if (!choices.ok) {
    const { t } = createTranslator("en");
    const [field, error] = Object.entries(choices.fieldErrors)[0]!;
    const given = field === "from" ? values.from : field === "to" ? values.to : undefined;
    throw new UsageError(`--${field}${given === undefined ? "" : ` ${given}`}: ${t(error!.id, error!.values)}`);
  }
  return { slug: values.appeal, format: values.format, choices: choices.value };
}

/** node:util's messages are long and mention things this command does not have (positionals). */
function describeArgumentError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `Unknown option ${option} (see --help).`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `Option ${option} ${/argument missing/.test(message) ? "needs a value" : "takes no value"} (see --help).`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `Unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}: options start with -- (see --help).`;
  return `${message} (see --help).`;
}

async function main(): Promise<number> {
  const command = parseCommandLine(process.argv.slice(2));
  if (command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const database = await openDatabase(loadDatabaseSettings(), say);
  const db = createDatabaseClient(database.url, { maxConnections: 2 });
  const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined); // an idle connection lost: the export in progress reports its own error
  try {
    // This command may be the first to touch a fresh database.
    await applyMigrations(database.url);
    const appeal = await findExportableAppeal(db, { slug: command.slug });
    if (!appeal) throw new UsageError(`There is no appeal with the slug "${command.slug}".`);

    const expected = await countSignaturesToExport(db, appeal.id, command.choices);
    say(`Exporting ${expected.toLocaleString("en")} signatures of "${appeal.slug}" as ${command.format.toUpperCase()}…`);
    const startedAt = performance.now();
    const exported = openSignatureExport({ pool, db }, { appeal, format: command.format, choices: command.choices, actor: { system: "command line" } });
    let problem: unknown = null;
    try {
      // Standard output stays open: Node owns it, and messages may follow.
      await pipeline(exported.chunks, process.stdout, { end: false });
    } catch (error) {
      problem = error;
    }
    const outcome = await exported.finished;
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    if (!outcome.completed) {
      const why = outcome.failed ? `: ${problem instanceof Error ? problem.message : String(problem)}` : " because the output was closed";
      say(`The export stopped after ${outcome.rows.toLocaleString("en")} rows${why}. The audit log records it as incomplete.`);
      return 1;
    }
    say(`Exported ${outcome.rows.toLocaleString("en")} signatures in ${seconds} s; recorded in the audit log.`);
    return 0;
  } finally {
    await pool.end();
    await db.$disconnect();
    await database.stop();
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(error.message);
      process.exit(2);
    }
    if (error instanceof StartupError) say(error.message);
    else say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
