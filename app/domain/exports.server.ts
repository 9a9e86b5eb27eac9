import { pipeline, Transform } from "node:stream";
import { stringify } from "csv-stringify";
import type pg from "pg";
import QueryStream from "pg-query-stream";
import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { DatabaseOrTransaction } from "~/infra/db.server";
import { recordAudit, type AuditActor } from "./audit";
import { validate, type Validated } from "./validation";

/**
 * Exports of an appeal's confirmed signatures, the file organizers deliver to the people the
 * appeal is addressed to. One code path for the web download and the command line, so both
 * follow the same rules: which rows, which columns, formula safety, and an audit entry for every
 * export. The rows stream from a Postgres cursor through the file format to the reader with
 * backpressure, so a million signatures never sit in memory (docs/decisions/008-…).
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

/**
 * The one description of which rows an export holds. Days are turned into instants in SQL, at
 * midnight UTC whatever the session's time zone; "to" includes its whole day.
 */
function exportCondition(appealId: string, filters: ExportFilters): { sql: string; values: string[] } {
  const values = [appealId];
  const conditions = [`"appealId" = $1::uuid`, `"status" = 'CONFIRMED'`];
  if (filters.listedOnly) conditions.push(`"showPublicly" AND "hiddenAt" IS NULL`);
  if (filters.from) {
    values.push(filters.from);
    conditions.push(`"confirmedAt" >= ($${values.length}::date)::timestamp AT TIME ZONE 'UTC'`);
  }
  if (filters.to) {
    values.push(filters.to);
    conditions.push(`"confirmedAt" < ($${values.length}::date + 1)::timestamp AT TIME ZONE 'UTC'`);
  }
  return { sql: conditions.join(" AND "), values };
}

/**
 * The rows of the export, named as the file's columns, oldest confirmation first (id breaks
 * ties, so two exports list the same rows in the same order). The timestamp is formatted by
 * Postgres: ISO 8601 in UTC with milliseconds, as stored.
 */
export function exportRowsQuery(appealId: string, filters: ExportFilters): { text: string; values: string[] } {
  const where = exportCondition(appealId, filters);
  const text = `SELECT to_char("confirmedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS confirmed_at,
      "fullName" AS name, "role" AS role_or_organisation, "city" AS city, "country" AS country, "comment" AS comment,
      "showPublicly" AS listed_publicly, "wantsUpdates" AS wants_updates, lower("source"::text) AS source, "email" AS email
    FROM "Signature" WHERE ${where.sql} ORDER BY "confirmedAt", "id"`;
  return { text, values: where.values };
}

/** How many rows an export with these filters would hold now (the page's preview). */
export async function countSignaturesToExport(db: DatabaseOrTransaction, appealId: string, filters: ExportFilters): Promise<number> {
  const where = exportCondition(appealId, filters);
  const [row] = await db.$queryRawUnsafe<{ count: number }[]>(`SELECT count(*)::int AS count FROM "Signature" WHERE ${where.sql}`, ...where.values);
  return row?.count ?? 0;
}

type ExportRow = {
  confirmed_at: string;
  name: string;
  role_or_organisation: string | null;
  city: string | null;
  country: string | null;
  comment: string | null;
  listed_publicly: boolean;
  wants_updates: boolean;
  source: "online" | "paper";
  /** Null for a paper signature collected without an address. */
  email: string | null;
};

/**
 * Spreadsheets run a cell that starts with = + - or @ as a formula (OWASP, "CSV Injection"), so
 * a signer could otherwise plant =HYPERLINK(…) or worse in the organizer's spreadsheet. Such a
 * cell gets a leading apostrophe, which makes it text. The rule covers:
 *  - a first character of = + - @, tab, carriage return or line feed (OWASP's list; tab and
 *    line breaks because some programs drop them and then see what follows);
 *  - the same four signs after leading whitespace, because import options such as
 *    LibreOffice's "trim spaces" remove it first;
 *  - their fullwidth forms (＝ ＋ － ＠), which costs nothing and which we could not rule out
 *    being read as the ASCII signs by East Asian spreadsheet locales.
 * Quoting alone does not help (spreadsheets unquote first), and keeping separators and quotes
 * inside a cell is csv-stringify's job, never ours.
 */
const formulaStart = /^(?:[\t\r\n]|\s*[=+\-@＝＋－＠])/u;

export function neutraliseFormula(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/** A row as CSV cells, in the columns' order: text neutralised, booleans as yes/no, nothing as an empty cell. */
function csvRecord(row: ExportRow): (string | null)[] {
  return exportColumns.map((column) => {
    const value = row[column];
    if (typeof value === "boolean") return value ? "yes" : "no";
    return value === null ? null : neutraliseFormula(value);
  });
}

/**
 * CSV per RFC 4180 with CRLF line ends. Every text cell is quoted, so whatever separator a
 * spreadsheet guesses for the reader's locale (comma, semicolon, tab), a value stays one cell.
 */
function csvWriter(bom: boolean): Transform {
  return stringify({ header: true, columns: [...exportColumns], quoted_string: true, record_delimiter: "windows", bom });
}

/**
 * A JSON array written one object at a time. Values are data here, exactly as signers typed
 * them: no formula neutralisation (a program reads JSON, not a spreadsheet), booleans as
 * true/false, missing values as null. Never a BOM (RFC 8259 forbids one).
 */
function jsonArrayWriter(): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(row: ExportRow, _encoding, done) {
      done(null, `${first ? "[\n" : ",\n"}${JSON.stringify(row)}`);
      first = false;
    },
    flush(done) {
      done(null, first ? "[]\n" : "\n]\n");
    },
  });
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
   * cancellation do) closes the cursor and gives back the connection.
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
/** Rows fetched from the cursor per round trip. */
const cursorBatchRows = 500;
/** How long an export stopped early waits for Postgres to close its cursor. */
const cursorCloseWaitMs = 5_000;

/** True when the promise settles within `ms`, false when time runs out first. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** "<slug>-signatures-<UTC date>.csv" */
export function exportFileName(slug: string, format: ExportFormat, now: Date): string {
  return `${slug}-signatures-${now.toISOString().slice(0, 10)}.${format}`;
}

/**
 * Opens an export. `pool` gives the connection the cursor runs on (held only while the file is
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
    const query = exportRowsQuery(appeal.id, choices);
    let rows = 0;
    const countRows = new Transform({
      objectMode: true,
      transform(row: ExportRow, _encoding, done) {
        rows += 1;
        done(null, format === "csv" ? csvRecord(row) : row);
      },
    });
    const cursor = client.query(new QueryStream(query.text, query.values, { batchSize: cursorBatchRows }));
    const cursorClosed = new Promise<void>((resolve) => cursor.once("close", resolve));
    // Errors anywhere in the chain surface in the loop below; the callback only keeps them handled.
    const file = pipeline(cursor, countRows, format === "csv" ? csvWriter(choices.bom) : jsonArrayWriter(), () => undefined);
    let completed = false;
    let failed = false;
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of file as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= chunkBytes) {
          yield Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
      completed = true;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (completed) {
        client.release();
      } else {
        // Stopped early: closing the chain closes the cursor (its portal and the transaction it
        // ran in). The connection goes back to the pool only if that finished; a server that
        // does not answer any more gets its connection closed instead of waited on.
        file.destroy();
        const cursorClosedInTime = await settlesWithin(cursorClosed, cursorCloseWaitMs);
        client.release(cursorClosedInTime ? undefined : true);
      }
      // A failure to record a finished export fails the download itself (the reader's side
      // sees an incomplete file): an export is never delivered without its audit entry.
      await recordOutcome({ completed, rows, failed });
    }
  }

  return {
    fileName: exportFileName(appeal.slug, format, request.now ?? new Date()),
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json",
    chunks: produceChunks(),
    finished,
  };
}
