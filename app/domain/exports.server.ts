import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { DatabaseOrTransaction } from "~/infra/db.server";
import { CopiedLines } from "~/infra/copied-lines.server";
import { collectYoungGarbage } from "~/infra/garbage-collection.server";
import { recordAudit, type AuditActor } from "./audit";
import { validate, type Validated } from "./validation";

/**
 * Exports of an appeal's confirmed signatures, the file organizers deliver to the people the
 * appeal is addressed to. One code path for the web download and the command line, so both
 * follow the same rules: which rows, which columns, formula safety, and an audit entry for every
 * export. Postgres writes each row's line of the file, and the lines stream through `COPY` to
 * the reader with backpressure, so a million signatures never sit in memory
 * (docs/decisions/008-… and 033-…).
 */

/** The file's columns, in order. The email address is last and named plainly: it is the most sensitive. */
export const exportColumns = [
  "confirmed_at",
  "name",
  "role_or_organisation",
  "city",
  "country",
  "comment",
  "listed_publicly",
  "wants_updates",
  /** "online" (the form, confirmed by email) or "paper" (imported from a sheet collected offline). */
  "source",
  "email",
] as const;

export const exportFormats = ["csv", "json"] as const;
export type ExportFormat = (typeof exportFormats)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (exportFormats as readonly string[]).includes(value);
}

/** Which confirmed signatures. Dates are calendar days in UTC, both included. */
export type ExportFilters = { listedOnly: boolean; from: string | null; to: string | null };
/** The filters, and whether a CSV starts with a byte order mark (Excel needs one to read UTF-8). */
export type ExportChoices = ExportFilters & { bom: boolean };

/** The choices as they arrive: query parameters of a download, or flags of the command line. */
export type RawExportChoices = { scope?: string | null; from?: string | null; to?: string | null; bom?: string | null };

const optionalDay = z.preprocess(
  (value) => (value === "" || value === undefined ? null : value),
  z.iso.date({ error: "export.errors.dateInvalid" satisfies MessageId }).nullable(),
);

const exportChoicesSchema = z
  .object({
    scope: z.preprocess(
      (value) => (value === "" || value === null ? undefined : value),
      z.enum(["all", "listed"], { error: "export.errors.scopeInvalid" satisfies MessageId }).default("all"),
    ),
    from: optionalDay,
    to: optionalDay,
    // A checkbox sends "on"; links and scripts may say 1 or true.
    bom: z.preprocess(
      (value) => (value === "" || value === null ? undefined : value),
      z.enum(["on", "1", "true"], { error: "export.errors.bomInvalid" satisfies MessageId }).optional(),
    ),
  })
  .refine((choices) => !choices.from || !choices.to || choices.from <= choices.to, {
    path: ["to"],
    error: "export.errors.rangeReversed" satisfies MessageId,
  });

/** Checks the choices; each problem is a message id for the field it concerns (scope, from, to, bom). */
export function parseExportChoices(raw: RawExportChoices): Validated<ExportChoices> {
  const checked = validate(exportChoicesSchema, raw);
  if (!checked.ok) return checked;
  const { scope, from, to, bom } = checked.value;
  return { ok: true, value: { listedOnly: scope === "listed", from, to, bom: bom !== undefined } };
}

export function exportChoicesFromSearchParams(params: URLSearchParams): RawExportChoices {
  return { scope: params.get("scope"), from: params.get("from"), to: params.get("to"), bom: params.get("bom") };
}

export type ExportableAppeal = { id: string; slug: string };

export async function findExportableAppeal(db: DatabaseOrTransaction, where: { id: string } | { slug: string }): Promise<ExportableAppeal | null> {
  if ("id" in where && !/^[0-9a-f-]{36}$/i.test(where.id)) return null;
  return db.appeal.findUnique({ where, select: { id: true, slug: true } });
}

/** How a value reaches a statement: as a parameter ($1, $2…), or written into it as a literal (COPY takes no parameters). */
type Binder = { values: string[]; bind: (value: string, type: "uuid" | "date") => string };

function parameters(): Binder {
  const values: string[] = [];
  return { values, bind: (value, type) => `$${values.push(value)}::${type}` };
}

function literals(escapeLiteral: (value: string) => string): Binder {
  return { values: [], bind: (value, type) => `${escapeLiteral(value)}::${type}` };
}

/**
 * The one description of which rows an export holds. Days are turned into instants in SQL, at
 * midnight UTC whatever the session's time zone; "to" includes its whole day.
 */
function exportCondition(appealId: string, filters: ExportFilters, binder: Binder): string {
  const conditions = [`s."appealId" = ${binder.bind(appealId, "uuid")}`, `s."status" = 'CONFIRMED'`];
  if (filters.listedOnly) conditions.push(`s."showPublicly" AND s."hiddenAt" IS NULL`);
  if (filters.from) conditions.push(`s."confirmedAt" >= (${binder.bind(filters.from, "date")})::timestamp AT TIME ZONE 'UTC'`);
  if (filters.to) conditions.push(`s."confirmedAt" < (${binder.bind(filters.to, "date")} + 1)::timestamp AT TIME ZONE 'UTC'`);
  return conditions.join(" AND ");
}

/**
 * Each column of the file: how Postgres reads its value from a row `s` of "Signature", and what
 * kind of value it is (which decides its CSV cell). The timestamp is formatted by Postgres: ISO
 * 8601 in UTC with milliseconds, as stored.
 */
const columnValues: Record<(typeof exportColumns)[number], { sql: string; kind: "text" | "yes/no" | "ours" }> = {
  confirmed_at: { sql: `to_char(s."confirmedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`, kind: "ours" },
  name: { sql: `s."fullName"`, kind: "text" },
  role_or_organisation: { sql: `s."role"`, kind: "text" },
  city: { sql: `s."city"`, kind: "text" },
  country: { sql: `s."country"`, kind: "text" },
  comment: { sql: `s."comment"`, kind: "text" },
  listed_publicly: { sql: `s."showPublicly"`, kind: "yes/no" },
  wants_updates: { sql: `s."wantsUpdates"`, kind: "yes/no" },
  source: { sql: `lower(s."source"::text)`, kind: "ours" },
  // Null for a paper signature collected without an address.
  email: { sql: `s."email"`, kind: "text" },
};

/** Oldest confirmation first; the id breaks ties, so two exports list the same rows in the same order. */
const exportOrder = `ORDER BY s."confirmedAt", s."id"`;

const namedColumns = exportColumns.map((column) => `${columnValues[column].sql} AS ${column}`).join(", ");

/** The rows of the export as plain columns named as the file's: what `COPY` would write (the benchmark's baseline). */
export function exportRowsQuery(appealId: string, filters: ExportFilters): { text: string; values: string[] } {
  const binder = parameters();
  const where = exportCondition(appealId, filters, binder);
  return { text: `SELECT ${namedColumns} FROM "Signature" s WHERE ${where} ${exportOrder}`, values: binder.values };
}

/** How many rows an export with these filters would hold now (the page's preview). */
export async function countSignaturesToExport(db: DatabaseOrTransaction, appealId: string, filters: ExportFilters): Promise<number> {
  const binder = parameters();
  const where = exportCondition(appealId, filters, binder);
  const [row] = await db.$queryRawUnsafe<{ count: number }[]>(`SELECT count(*)::int AS count FROM "Signature" s WHERE ${where}`, ...binder.values);
  return row?.count ?? 0;
}

/*
 * Each row's line of the file is written by Postgres, and the web process only passes text on: a
 * million rows are a million strings, not a million objects of ten values, each turned into
 * cells in JavaScript. That is what keeps the export within issue 9's limits of time and memory
 * (decision 033).
 */

/**
 * Spreadsheets run a cell that starts with = + - or @ as a formula (OWASP, "CSV Injection"), so
 * a signer could otherwise plant =HYPERLINK(…) or worse in the organizer's spreadsheet. Such a
 * cell gets a leading apostrophe, which makes it text. The rule covers:
 *  - a first character of = + - @, tab, carriage return or line feed (OWASP's list; tab and
 *    line breaks because some programs drop them and then see what follows);
 *  - the same four signs after leading whitespace, because import options such as
 *    LibreOffice's "trim spaces" remove it first (whitespace as JavaScript's `\s` has it, spelled
 *    out because what Postgres's `\s` matches depends on the database's locale);
 *  - their fullwidth forms (＝ ＋ － ＠), which costs nothing and which we could not rule out
 *    being read as the ASCII signs by East Asian spreadsheet locales.
 * Quoting alone does not help (spreadsheets unquote first). A Postgres regular expression.
 */
const formulaStart = String.raw`^([\t\r\n]|[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*[=+\-@＝＋－＠])`;

/** A value as an RFC 4180 quoted cell: its quotes doubled, so separators, quotes and line breaks stay inside it. */
const quoted = (sql: string) => `'"' || replace(${sql}, '"', '""') || '"'`;

/**
 * The regular expression as a SQL string literal: an E'' string with its backslashes doubled
 * reads the same whether or not the server has standard_conforming_strings on (with it off, a
 * plain '' string would turn `\-` into a range that takes in the digits).
 */
const formulaStartLiteral = `E'${formulaStart.replaceAll("\\", "\\\\")}'`;

/**
 * A column's CSV cell: text neutralised and quoted, yes/no and our own values quoted, nothing as
 * an empty cell. Every text cell is quoted, so whatever separator a spreadsheet guesses for the
 * reader's locale (comma, semicolon, tab), a value stays one cell.
 */
function csvCell(column: (typeof exportColumns)[number]): string {
  const value = `file_row.${column}`;
  const { kind } = columnValues[column];
  if (kind === "yes/no") return `CASE WHEN ${value} IS NULL THEN '' WHEN ${value} THEN '"yes"' ELSE '"no"' END`;
  if (kind === "ours") return `CASE WHEN ${value} IS NULL THEN '' ELSE ${quoted(value)} END`;
  return `CASE WHEN ${value} IS NULL THEN '' WHEN ${value} ~ ${formulaStartLiteral} THEN ${quoted(`'''' || ${value}`)} ELSE ${quoted(value)} END`;
}

/** How a file is put together: what comes before the rows, each row's line (SQL), before the first line, between two lines, and after them. */
type FileShape = { head: (bom: boolean) => string; line: string; beforeFirst: string; between: string; tail: (rows: number) => string };

const fileShapes: Record<ExportFormat, FileShape> = {
  // CSV per RFC 4180 with CRLF line ends and a header of the columns' names; a byte order mark
  // only when asked (Excel needs one to read UTF-8).
  csv: {
    head: (bom) => `${bom ? "\ufeff" : ""}${exportColumns.map((column) => `"${column}"`).join(",")}\r\n`,
    line: `${exportColumns.map(csvCell).join(" || ',' || ")} || E'\\r\\n'`,
    beforeFirst: "",
    between: "",
    tail: () => "",
  },
  // A JSON array of one object per row. Values are data here, exactly as signers typed them: no
  // formula neutralisation (a program reads JSON, not a spreadsheet), booleans as true/false,
  // missing values as null, keys in the columns' order; row_to_json writes as compactly as
  // JSON.stringify. Never a BOM (RFC 8259 forbids one).
  json: {
    head: () => "[",
    line: "row_to_json(file_row)::text",
    beforeFirst: "\n",
    between: ",\n",
    tail: (rows) => (rows === 0 ? "]\n" : "\n]\n"),
  },
};

/**
 * The file's lines, one per row, in the export's order, as `COPY` sends them. The rows are
 * chosen and ordered first, as the index gives them (so the first rows come at once), and only
 * then turned into lines: asked for both at once, Postgres judged the lines dear enough to read
 * the whole table in parallel and sort it before the first row, 4 s at 1,000,000 rows.
 */
function exportLinesCopy(appealId: string, format: ExportFormat, filters: ExportFilters, escapeLiteral: (value: string) => string): string {
  const where = exportCondition(appealId, filters, literals(escapeLiteral));
  return `COPY (SELECT file_line.line FROM (SELECT ${namedColumns}, s."confirmedAt", s."id" FROM "Signature" s WHERE ${where} ${exportOrder}) AS chosen
      CROSS JOIN LATERAL (SELECT ${exportColumns.map((column) => `chosen.${column}`).join(", ")}) AS file_row
      CROSS JOIN LATERAL (SELECT ${fileShapes[format].line} AS line) AS file_line
      ORDER BY chosen."confirmedAt", chosen."id") TO STDOUT (FORMAT binary)`;
}

export type ExportRequest = {
  appeal: ExportableAppeal;
  format: ExportFormat;
  choices: ExportChoices;
  actor: AuditActor;
  now?: Date;
};

export type ExportOutcome = {
  /** Every row reached the reader's side (the last byte was handed over). */
  completed: boolean;
  /** Rows read from the database and handed to the file; when not completed, at most this many arrived. */
  rows: number;
  /** The export stopped because something failed (the database, the audit log), not because the reader left. */
  failed: boolean;
};

export type SignatureExport = {
  fileName: string;
  contentType: string;
  /**
   * The file's bytes in chunks of about 64 KB. Nothing touches the database until the first
   * chunk is asked for. Stopping early (`return()`, as `for await … break` and stream
   * cancellation do) ends the database's work and closes the connection it ran on.
   */
  chunks: AsyncGenerator<Uint8Array, void, undefined>;
  /**
   * Settles once the export has ended — read to the end, abandoned by its reader or failed —
   * and its audit entry is written; rejects only when the audit entry could not be written.
   * An export that never got a connection never started, and this never settles.
   */
  finished: Promise<ExportOutcome>;
};

/** Chunks handed on at once: big enough to keep system calls and HTTP chunk headers few. */
const chunkBytes = 64 * 1024;
/** The file's bytes pass through Buffers outside V8's heap; a scavenge this often frees them (decision 033). */
const bytesBetweenCollections = 1024 * 1024;
/** "<slug>-signatures-<UTC date>.csv" */
export function exportFileName(slug: string, format: ExportFormat, now: Date): string {
  return `${slug}-signatures-${now.toISOString().slice(0, 10)}.${format}`;
}

/**
 * Opens an export. `pool` gives the connection the `COPY` runs on (held only while the file is
 * read); `db` writes the audit entry when the export ends, however it ends — completed, or
 * stopped with the rows handed over so far (see ExportOutcome).
 */
export function openSignatureExport(connections: { pool: pg.Pool; db: DatabaseOrTransaction }, request: ExportRequest): SignatureExport {
  const { appeal, format, choices, actor } = request;
  let settle: { resolve: (outcome: ExportOutcome) => void; reject: (error: unknown) => void } | undefined;
  const finished = new Promise<ExportOutcome>((resolve, reject) => (settle = { resolve, reject }));
  // Whoever cares awaits it; nobody awaiting must not crash the process.
  finished.catch(() => undefined);

  const recordOutcome = async (outcome: ExportOutcome) => {
    try {
      await recordAudit(connections.db, {
        actor,
        action: format === "csv" ? "export.csv" : "export.json",
        appealId: appeal.id,
        subject: appeal.slug,
        details: {
          format,
          scope: choices.listedOnly ? "listed" : "all",
          from: choices.from,
          to: choices.to,
          bom: format === "csv" && choices.bom,
          rows: outcome.rows,
          completed: outcome.completed,
          failed: outcome.failed,
        },
      });
      settle?.resolve(outcome);
    } catch (error) {
      settle?.reject(error);
      throw error;
    }
  };

  async function* produceChunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const client = await connections.pool.connect();
    const shape = fileShapes[format];
    const file = new CopiedLines({ head: shape.head(choices.bom), beforeFirst: shape.beforeFirst, between: shape.between, tail: shape.tail, chunkBytes });
    const copy = client.query(copyTo(exportLinesCopy(appeal.id, format, choices, (value) => client.escapeLiteral(value))));
    let completed = false;
    let failed = false;
    let sinceCollection = 0;
    try {
      // Read only as the reader takes the file: COPY waits while its connection's socket is full.
      for await (const piece of copy as AsyncIterable<Buffer>) {
        for (const chunk of file.take(piece)) {
          yield chunk;
          sinceCollection += chunk.length;
          if (sinceCollection >= bytesBetweenCollections) {
            sinceCollection = 0;
            collectYoungGarbage();
          }
        }
      }
      for (const chunk of file.finish()) yield chunk;
      completed = true;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A COPY stopped half-way leaves its connection in the middle of it: the connection is
      // closed rather than given back, and Postgres ends the statement when it finds it gone.
      if (!completed) {
        // Destroyed, the stream may still hear of its connection's end: expected, and not to be thrown.
        copy.on("error", () => undefined);
        copy.destroy();
      }
      client.release(completed ? undefined : true);
      // A failure to record a finished export fails the download itself (the reader's side
      // sees an incomplete file): an export is never delivered without its audit entry.
      await recordOutcome({ completed, rows: file.rows, failed });
    }
  }

  return {
    fileName: exportFileName(appeal.slug, format, request.now ?? new Date()),
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json",
    chunks: produceChunks(),
    finished,
  };
}
