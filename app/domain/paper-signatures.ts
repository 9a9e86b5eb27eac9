import { randomInt } from "node:crypto";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { actorName, recordAudit } from "./audit";
import { countryCodes, isCountryCode } from "./countries";
import { countShards } from "./counts";
import { lockedInIdOrder, signatureCondition } from "./signature-locks.server";
import { canonicalEmail } from "./email-addresses";
import type { SignedInOrganizer } from "./organizers";
import { signatureLimits } from "./sign-form-fields";

/**
 * Paper signatures (docs/decisions/017-paper-signatures.md): signatures collected offline on a
 * sheet, typed into a spreadsheet and uploaded as CSV. Upload stages the sheet and shows what
 * would happen (a preview, row by row); importing applies it in one transaction; an import can be
 * undone as a whole.
 *
 * A paper signature is CONFIRMED from the start (the signature on paper is the confirmation),
 * source PAPER, gets no email, is listed publicly only where the sheet says the signer agreed,
 * and counts like any other: the sharded counters are adjusted in the same statement that
 * inserts (or deletes) the rows, as confirmAndCount and moderation do (decision 003).
 */

/** Bigger sheets are refused with a clear message; split them. */
export const maxPaperSheetBytes = 2 * 1024 * 1024;
export const maxPaperSheetRows = 20_000;

/** The columns of the template, in order. Header names are matched case-insensitively, with aliases. */
export const paperSheetColumns = ["name", "role", "city", "country", "date_collected", "email", "list_publicly"] as const;
export type PaperSheetColumn = (typeof paperSheetColumns)[number];
const requiredColumns: readonly PaperSheetColumn[] = ["name", "country", "date_collected"];

/** Header spellings people use, after lower-casing and dropping everything but letters and digits. */
const columnAliases: Record<string, PaperSheetColumn> = {
  name: "name",
  fullname: "name",
  signer: "name",
  role: "role",
  roleororganisation: "role",
  roleororganization: "role",
  organisation: "role",
  organization: "role",
  city: "city",
  town: "city",
  country: "country",
  datecollected: "date_collected",
  collectedon: "date_collected",
  collected: "date_collected",
  date: "date_collected",
  email: "email",
  emailaddress: "email",
  mail: "email",
  listpublicly: "list_publicly",
  listedpublicly: "list_publicly",
  showpublicly: "list_publicly",
  public: "list_publicly",
  listed: "list_publicly",
  agreedtobelisted: "list_publicly",
  consent: "list_publicly",
};

/** Why a whole sheet is refused before any row is looked at. */
export type SheetProblem =
  | { problem: "missing" }
  | { problem: "empty" }
  | { problem: "tooLarge"; maxMegabytes: number }
  | { problem: "tooManyRows"; maxRows: number }
  | { problem: "notUtf8" }
  | { problem: "notCsv"; line: number }
  | { problem: "columnMissing"; column: string };

/** Why one row is not imported. */
export const rowProblems = [
  "nameMissing",
  "tooLong",
  "countryMissing",
  "countryUnknown",
  "dateMissing",
  "dateInvalid",
  "dateInFuture",
  "emailInvalid",
  "consentInvalid",
  "duplicateOfSignature",
  "duplicateInSheet",
] as const;
export type RowProblem = (typeof rowProblems)[number];

/** A row as it will be stored. */
export type PaperSigner = {
  fullName: string;
  role: string | null;
  city: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** YYYY-MM-DD: the day the signature was collected, which becomes its confirmation day. */
  collectedOn: string;
  email: string | null;
  showPublicly: boolean;
};

/** `row` is the spreadsheet's row number: the header is row 1. */
export type PaperRowResult =
  | { row: number; accepted: true; signer: PaperSigner }
  | { row: number; accepted: false; problem: RowProblem; cells: { name: string; city: string; country: string; email: string } };

export type PaperPreview = { rows: PaperRowResult[]; total: number; accepted: number; rejected: number };

type RawRow = { row: number; cells: Partial<Record<PaperSheetColumn, string>> };

// ————— Reading the file —————

/**
 * The sheet's rows, or why it cannot be read. UTF-8 with or without a byte order mark; comma or
 * semicolon separated (whichever the header line uses more: Excel writes semicolons where the
 * decimal separator is a comma); header names in any case.
 */
export function readPaperSheet(bytes: Uint8Array): { ok: true; rows: RawRow[] } | ({ ok: false } & SheetProblem) {
  if (bytes.byteLength > maxPaperSheetBytes) return { ok: false, problem: "tooLarge", maxMegabytes: maxPaperSheetBytes / (1024 * 1024) };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, problem: "notUtf8" };
  }
  // eslint-disable-next-line no-control-regex -- NUL never belongs in a sheet (and Postgres refuses it)
  text = text.replace(/\u0000/g, "");
  if (text.trim() === "") return { ok: false, problem: "empty" };
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";

  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: false, trim: true, to_line: maxPaperSheetRows + 2 }) as string[][];
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === "number" ? (error as { lines: number }).lines : 1;
    return { ok: false, problem: "notCsv", line };
  }
  const [header, ...data] = records;
  if (!header) return { ok: false, problem: "empty" };
  const columnAt = header.map((name) => columnAliases[name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "")] ?? null);
  for (const column of requiredColumns) if (!columnAt.includes(column)) return { ok: false, problem: "columnMissing", column };

  const rows: RawRow[] = [];
  data.forEach((record, index) => {
    if (record.every((cell) => cell.trim() === "")) return; // a blank line, not a row
    const cells: RawRow["cells"] = {};
    record.forEach((cell, position) => {
      const column = columnAt[position];
      if (column && cells[column] === undefined) cells[column] = cell.trim();
    });
    rows.push({ row: index + 2, cells });
  });
  if (rows.length > maxPaperSheetRows || records.length > maxPaperSheetRows + 1) return { ok: false, problem: "tooManyRows", maxRows: maxPaperSheetRows };
  if (rows.length === 0) return { ok: false, problem: "empty" };
  return { ok: true, rows };
}

// ————— Checking a row —————

function normalisedWords(value: string): string {
  return value.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

let countryNames: Map<string, string> | null = null;

/** Country names in the languages sheets are most likely written in, to their codes. */
function countryByName(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Map<string, string>();
  for (const locale of ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "cs"]) {
    const display = new Intl.DisplayNames([locale], { type: "region" });
    for (const code of countryCodes) {
      const name = display.of(code);
      if (name && name !== code && !names.has(normalisedWords(name))) names.set(normalisedWords(name), code);
    }
  }
  for (const [alias, code] of Object.entries({ uk: "GB", "great britain": "GB", england: "GB", scotland: "GB", wales: "GB", usa: "US", "united states of america": "US", holland: "NL" })) names.set(alias, code);
  countryNames = names;
  return names;
}

/** "DE", "de", "Germany", "Deutschland", "Allemagne" → "DE"; null when unknown. */
export function paperCountryCode(value: string): string | null {
  const trimmed = value.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) return isCountryCode(trimmed.toUpperCase()) ? trimmed.toUpperCase() : null;
  return countryByName().get(normalisedWords(trimmed)) ?? null;
}

/**
 * The day a signature was collected: 2026-03-01 (ISO, as spreadsheets export dates), or
 * 1.3.2026 / 01/03/2026 (day first, as written on paper outside the US). A time after the day
 * (Excel's "2026-03-01 00:00:00") is ignored. Null when it is not a real day.
 */
export function paperDate(value: string): string | null {
  const trimmed = value.trim();
  let year: number, month: number, day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/.exec(trimmed);
  const dayFirst = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(trimmed);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) [day, month, year] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])];
  else return null;
  if (year < 1900) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

const consentYes = new Set(["yes", "y", "true", "1", "x", "✓", "✔", "ja", "j", "oui", "si", "sí", "tak", "sim"]);
const consentNo = new Set(["", "no", "n", "false", "0", "nein", "non", "nie", "nao", "não"]);

const emailFormat = z.email();

type CheckedRow = { row: number; signer: PaperSigner; emailCanonical: string | null; nameCityKey: string } | { row: number; problem: RowProblem };

/** The rules a row must meet on its own (duplicates are judged afterwards, against others). */
export function checkPaperRow(raw: RawRow, today: string): CheckedRow {
  const { row, cells } = raw;
  const fullName = cells.name ?? "";
  const role = cells.role ?? "";
  const city = cells.city ?? "";
  const email = cells.email ?? "";
  if (!/[\p{L}\p{N}]/u.test(fullName)) return { row, problem: "nameMissing" };
  if (fullName.length > signatureLimits.fullName || role.length > signatureLimits.role || city.length > signatureLimits.city || email.length > signatureLimits.email) return { row, problem: "tooLong" };
  if (!cells.country) return { row, problem: "countryMissing" };
  const country = paperCountryCode(cells.country);
  if (!country) return { row, problem: "countryUnknown" };
  if (!cells.date_collected) return { row, problem: "dateMissing" };
  const collectedOn = paperDate(cells.date_collected);
  if (!collectedOn) return { row, problem: "dateInvalid" };
  if (collectedOn > today) return { row, problem: "dateInFuture" };
  if (email !== "" && !emailFormat.safeParse(email).success) return { row, problem: "emailInvalid" };
  const consent = normalisedConsent(cells.list_publicly ?? "");
  if (consent === null) return { row, problem: "consentInvalid" };
  return {
    row,
    signer: { fullName, role: role || null, city: city || null, country, collectedOn, email: email || null, showPublicly: consent },
    emailCanonical: email ? canonicalEmail(email) : null,
    nameCityKey: nameCityKey(fullName, city),
  };
}

function normalisedConsent(value: string): boolean | null {
  const lowered = value.trim().toLowerCase();
  if (consentYes.has(lowered)) return true;
  if (consentNo.has(lowered)) return false;
  return null;
}

/** A name or city compared as Postgres compares it below: case and runs of spaces ignored. */
function looseText(value: string): string {
  return value.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Same person for rows without an email: same name and city, ignoring case and spacing. */
function nameCityKey(fullName: string, city: string): string {
  return `${looseText(fullName)}|${looseText(city)}`;
}

function cellsOf(raw: RawRow) {
  return { name: raw.cells.name ?? "", city: raw.cells.city ?? "", country: raw.cells.country ?? "", email: raw.cells.email ?? "" };
}

/**
 * Every row of a sheet, accepted or rejected with its reason, judged against the appeal's
 * signatures as they are now: an address that already signed (in any state but withdrawn, whose
 * address is erased), or, for a row without an address, a signature with the same name and city.
 * Within the sheet the first of two duplicates is accepted and the second rejected.
 */
export async function previewPaperRows(db: DatabaseOrTransaction, appealId: string, rows: RawRow[], now = new Date()): Promise<PaperPreview> {
  const today = now.toISOString().slice(0, 10);
  const checked = rows.map((raw) => checkPaperRow(raw, today));
  const valid = checked.filter((entry) => "signer" in entry);
  const emails = [...new Set(valid.flatMap((entry) => (entry.emailCanonical ? [entry.emailCanonical] : [])))];
  const names = [...new Set(valid.filter((entry) => !entry.emailCanonical).map((entry) => looseText(entry.signer.fullName)))];
  const [emailRows, nameRows] = await Promise.all([
    emails.length === 0
      ? []
      : db.$queryRaw<{ emailCanonical: string }[]>`
          SELECT "emailCanonical" FROM "Signature" WHERE "appealId" = ${appealId}::uuid AND "emailCanonical" = ANY(${emails}::text[])`,
    names.length === 0
      ? []
      : // Narrowed in SQL by the name, then compared with the city as the sheet's rows are.
        db.$queryRaw<{ fullName: string; city: string | null }[]>`
          SELECT "fullName", city FROM "Signature"
          WHERE "appealId" = ${appealId}::uuid AND status <> 'WITHDRAWN'
            AND lower(regexp_replace(btrim("fullName"), '\s+', ' ', 'g')) = ANY(${names}::text[])`,
  ]);
  const existingEmails = new Set(emailRows.map((row) => row.emailCanonical));
  const existingNames = new Set(nameRows.map((row) => nameCityKey(row.fullName, row.city ?? "")));

  const seenEmails = new Set<string>();
  const seenNames = new Set<string>();
  const results: PaperRowResult[] = checked.map((entry, index) => {
    const raw = rows[index]!;
    if (!("signer" in entry)) return { row: entry.row, accepted: false, problem: entry.problem, cells: cellsOf(raw) };
    const duplicateOfSignature = entry.emailCanonical ? existingEmails.has(entry.emailCanonical) : existingNames.has(entry.nameCityKey);
    if (duplicateOfSignature) return { row: entry.row, accepted: false, problem: "duplicateOfSignature", cells: cellsOf(raw) };
    const duplicateInSheet = entry.emailCanonical ? seenEmails.has(entry.emailCanonical) : seenNames.has(entry.nameCityKey);
    if (entry.emailCanonical) seenEmails.add(entry.emailCanonical);
    seenNames.add(entry.nameCityKey);
    if (duplicateInSheet) return { row: entry.row, accepted: false, problem: "duplicateInSheet", cells: cellsOf(raw) };
    return { row: entry.row, accepted: true, signer: entry.signer };
  });
  const accepted = results.filter((result) => result.accepted).length;
  return { rows: results, total: results.length, accepted, rejected: results.length - accepted };
}

// ————— Staging, importing, undoing —————

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A sheet not imported within a day is dropped when the next one is uploaded: it holds personal data. */
const stagedLifetimeMs = 24 * 60 * 60 * 1000;

export type UploadedSheet = { fileName: string; bytes: Uint8Array } | { fileName: string; tooLarge: true } | null;

export type StageOutcome = { ok: true; importId: string; preview: PaperPreview } | ({ ok: false } & SheetProblem);

/**
 * Checks an uploaded sheet and keeps it, not yet applied, for its preview. Refuses it as a whole
 * when it cannot be read, is too big, or lacks a required column.
 */
export async function stagePaperImport(db: Database, organizer: SignedInOrganizer, appealId: string, sheet: UploadedSheet, now = new Date()): Promise<StageOutcome> {
  if (!sheet) return { ok: false, problem: "missing" };
  if ("tooLarge" in sheet) return { ok: false, problem: "tooLarge", maxMegabytes: maxPaperSheetBytes / (1024 * 1024) };
  const read = readPaperSheet(sheet.bytes);
  if (!read.ok) return read;
  const preview = await previewPaperRows(db, appealId, read.rows, now);
  const fileName = sheet.fileName.replace(/[\p{C}]/gu, "").slice(0, 200) || "sheet.csv";
  const staged = await db.$transaction(async (tx) => {
    await tx.paperImport.deleteMany({ where: { appealId, status: "PREVIEW", createdAt: { lt: new Date(now.getTime() - stagedLifetimeMs) } } });
    return tx.paperImport.create({
      data: {
        appealId,
        fileName,
        content: Buffer.from(sheet.bytes).toString("utf8"),
        rowsTotal: preview.total,
        rowsAccepted: preview.accepted,
        rowsRejected: preview.rejected,
        uploadedBy: actorName(organizer),
      },
      select: { id: true },
    });
  });
  return { ok: true, importId: staged.id, preview };
}

export type StagedImport = { id: string; fileName: string; createdAt: Date; preview: PaperPreview };

/** A staged sheet's preview, judged again against the signatures as they are now. */
export async function getStagedPaperImport(db: DatabaseOrTransaction, appealId: string, importId: string): Promise<StagedImport | null> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(importId)) return null;
  const staged = await db.paperImport.findFirst({ where: { id: importId, appealId, status: "PREVIEW" }, select: { id: true, fileName: true, createdAt: true, content: true } });
  if (!staged?.content) return null;
  const read = readPaperSheet(Buffer.from(staged.content, "utf8"));
  if (!read.ok) return null;
  return { id: staged.id, fileName: staged.fileName, createdAt: staged.createdAt, preview: await previewPaperRows(db, appealId, read.rows) };
}

/** Drops a staged sheet without importing it. */
export async function discardPaperImport(db: DatabaseOrTransaction, appealId: string, importId: string): Promise<boolean> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(importId)) return false;
  const { count } = await db.paperImport.deleteMany({ where: { id: importId, appealId, status: "PREVIEW" } });
  return count === 1;
}

/**
 * Inserts the signers as confirmed paper signatures and adds them to one count shard, in one
 * statement. A row whose address signed online in the meantime is skipped (the unique index
 * decides), so the count added is exactly the rows inserted. Returns how many were inserted.
 */
export async function insertPaperSignatures(db: DatabaseOrTransaction, appealId: string, importId: string, locale: string, signers: PaperSigner[]): Promise<number> {
  if (signers.length === 0) return 0;
  const shard = randomInt(countShards);
  const column = <T>(pick: (signer: PaperSigner) => T) => signers.map(pick);
  const [result] = await db.$queryRaw<{ inserted: number }[]>`
    WITH inserted AS (
      INSERT INTO "Signature" (id, "appealId", "fullName", email, "emailCanonical", role, country, city, "showPublicly", "wantsUpdates",
        locale, status, "confirmedAt", source, "paperImportId")
      SELECT gen_random_uuid(), ${appealId}::uuid, r.name, r.email, r.canonical, r.role, r.country, r.city, r.listed, false,
        ${locale}, 'CONFIRMED', r.collected::date::timestamp AT TIME ZONE 'UTC', 'PAPER', ${importId}::uuid
      FROM unnest(${column((s) => s.fullName)}::text[], ${column((s) => s.email)}::text[], ${column((s) => (s.email ? canonicalEmail(s.email) : null))}::text[],
        ${column((s) => s.role)}::text[], ${column((s) => s.country)}::text[], ${column((s) => s.city)}::text[],
        ${column((s) => s.showPublicly)}::boolean[], ${column((s) => s.collectedOn)}::text[])
        AS r(name, email, canonical, role, country, city, listed, collected)
      ON CONFLICT ("appealId", "emailCanonical") DO NOTHING
      RETURNING "appealId", "showPublicly"
    ),
    counted AS (
      INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
      SELECT "appealId", ${shard}, count(*)::int, count(*) FILTER (WHERE "showPublicly")::int FROM inserted GROUP BY "appealId"
      ON CONFLICT ("appealId", shard) DO UPDATE
        SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
            listed = "SignatureCountShard".listed + EXCLUDED.listed
    )
    SELECT count(*)::int AS inserted FROM inserted`;
  return result?.inserted ?? 0;
}

export type ImportOutcome = { ok: true; imported: number; rejected: number } | { ok: false; reason: "unknown" | "archived" };

/**
 * Imports a staged sheet: its rows are judged again inside the transaction (a signature may have
 * arrived since the preview), the accepted ones become signatures and are counted, the sheet
 * itself is dropped (the signatures now hold what it said), and the audit log records it.
 */
export async function applyPaperImport(db: Database, organizer: SignedInOrganizer, appealId: string, importId: string, now = new Date()): Promise<ImportOutcome> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(importId)) return { ok: false, reason: "unknown" };
  return db.$transaction(
    async (tx) => {
      const appeal = await tx.appeal.findUnique({ where: { id: appealId }, select: { slug: true, status: true, defaultLocale: true, personalDataErasedAt: true } });
      if (!appeal) return { ok: false, reason: "unknown" } as const;
      if (appeal.status === "ARCHIVED" || appeal.personalDataErasedAt) return { ok: false, reason: "archived" } as const;
      // Taking the staged row first makes a second click (or a second organizer) find nothing.
      const [staged] = await tx.$queryRaw<{ content: string | null; fileName: string }[]>`
        UPDATE "PaperImport" SET status = 'IMPORTED', "importedAt" = ${now}, "importedBy" = ${actorName(organizer)}
        WHERE id = ${importId}::uuid AND "appealId" = ${appealId}::uuid AND status = 'PREVIEW'
        RETURNING content, "fileName"`;
      if (!staged?.content) return { ok: false, reason: "unknown" } as const;
      const read = readPaperSheet(Buffer.from(staged.content, "utf8"));
      if (!read.ok) return { ok: false, reason: "unknown" } as const;
      const preview = await previewPaperRows(tx, appealId, read.rows, now);
      const signers = preview.rows.flatMap((row) => (row.accepted ? [row.signer] : []));
      const imported = await insertPaperSignatures(tx, appealId, importId, appeal.defaultLocale, signers);
      const rejected = preview.total - imported;
      await tx.paperImport.update({
        where: { id: importId },
        data: { content: null, imported, rowsTotal: preview.total, rowsAccepted: imported, rowsRejected: rejected },
      });
      await recordAudit(tx, {
        actor: organizer,
        action: "paper-signatures.imported",
        appealId,
        subject: appeal.slug,
        details: { importId, fileName: staged.fileName, rows: preview.total, imported, rejected },
      });
      return { ok: true, imported, rejected } as const;
    },
    { timeout: 60_000 },
  );
}

/**
 * Undoes an import as a whole: every signature it created is deleted (whatever moderation did to
 * it since), and what they added to the counts is taken off in the same statement. Returns how
 * many were removed, or null when the import is unknown or not imported (already undone).
 */
export async function undoPaperImport(db: Database, organizer: SignedInOrganizer, appealId: string, importId: string, now = new Date()): Promise<number | null> {
  if (!uuidPattern.test(appealId) || !uuidPattern.test(importId)) return null;
  return db.$transaction(
    async (tx) => {
      const marked = await tx.$executeRaw`
        UPDATE "PaperImport" SET status = 'UNDONE', "undoneAt" = ${now}, "undoneBy" = ${actorName(organizer)}
        WHERE id = ${importId}::uuid AND "appealId" = ${appealId}::uuid AND status = 'IMPORTED'`;
      if (marked === 0) return null;
      const shard = randomInt(countShards);
      const [result] = await tx.$queryRaw<{ removed: number }[]>`
        WITH removed AS (
          DELETE FROM "Signature"
          WHERE ${lockedInIdOrder(signatureCondition`"paperImportId" = ${importId}::uuid AND "appealId" = ${appealId}::uuid`, { forDeleting: true })}
          RETURNING "appealId", status = 'CONFIRMED' AS counted, status = 'CONFIRMED' AND "showPublicly" AND "hiddenAt" IS NULL AS listed
        ),
        counted AS (
          INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
          SELECT "appealId", ${shard}, -count(*) FILTER (WHERE counted)::int, -count(*) FILTER (WHERE listed)::int
          FROM removed GROUP BY "appealId"
          ON CONFLICT ("appealId", shard) DO UPDATE
            SET confirmed = "SignatureCountShard".confirmed + EXCLUDED.confirmed,
                listed = "SignatureCountShard".listed + EXCLUDED.listed
        )
        SELECT count(*)::int AS removed FROM removed`;
      const removed = result?.removed ?? 0;
      const updated = await tx.paperImport.update({ where: { id: importId }, data: { removed }, select: { fileName: true, appeal: { select: { slug: true } } } });
      await recordAudit(tx, {
        actor: organizer,
        action: "paper-signatures.import-undone",
        appealId,
        subject: updated.appeal.slug,
        details: { importId, fileName: updated.fileName, removed },
      });
      return removed;
    },
    { timeout: 60_000 },
  );
}

export type PaperImportView = {
  id: string;
  fileName: string;
  status: "PREVIEW" | "IMPORTED" | "UNDONE";
  rowsTotal: number;
  imported: number | null;
  rowsRejected: number;
  uploadedBy: string;
  createdAt: Date;
  importedBy: string | null;
  importedAt: Date | null;
  undoneBy: string | null;
  undoneAt: Date | null;
  removed: number | null;
};

/** The appeal's imports (not the staged ones), newest first. */
export async function listPaperImports(db: DatabaseOrTransaction, appealId: string, limit = 20): Promise<PaperImportView[]> {
  if (!uuidPattern.test(appealId)) return [];
  return db.paperImport.findMany({
    where: { appealId, status: { in: ["IMPORTED", "UNDONE"] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true, fileName: true, status: true, rowsTotal: true, imported: true, rowsRejected: true, uploadedBy: true, createdAt: true,
      importedBy: true, importedAt: true, undoneBy: true, undoneAt: true, removed: true,
    },
  });
}

/** The template offered for download: the header and one example row. */
export function paperSheetTemplate(): string {
  return `${paperSheetColumns.join(",")}\r\nJane Doe,Teacher,Lyon,FR,2026-03-01,jane@example.org,yes\r\n`;
}
