import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import {
  countSignaturesToExport,
  exportColumns,
  openSignatureExport,
  parseExportChoices,
  type ExportChoices,
  type ExportFormat,
} from "~/domain/exports.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import type { Prisma } from "~/generated/prisma/client";
import { startStreamingBody } from "~/http";
import type { Database } from "~/infra/db.server";
import { loader as csvLoader } from "~/routes/organize.appeals.$id.export[.]csv";
import { loader as jsonLoader } from "~/routes/organize.appeals.$id.export[.]json";
import { createTestAppeal } from "./support/appeals";
import { insertConfirmedSignatures } from "./support/bulk-signatures";
import { testLoadContext } from "./support/context";
import { parseCsv } from "./support/csv";
import { useDatabasePerTest } from "./support/database";

type Appeal = { id: string; slug: string };
type NewSignature = Partial<Omit<Prisma.SignatureCreateManyInput, "appealId">> & { fullName: string };

let emailCounter = 0;
async function addSignatures(db: Database, appeal: Appeal, signatures: NewSignature[]): Promise<void> {
  await db.signature.createMany({
    data: signatures.map((signature, index) => {
      const email = signature.email ?? `signer-${(emailCounter += 1)}@example.org`;
      return {
        status: "CONFIRMED" as const,
        // In the order given, unless a test says otherwise.
        confirmedAt: new Date(Date.UTC(2026, 5, 1, 12, 0, index)),
        ...signature,
        appealId: appeal.id,
        email,
        emailCanonical: email.toLowerCase(),
      };
    }),
  });
}

async function addEditor(db: Database): Promise<SignedInOrganizer> {
  const email = `editor-${(emailCounter += 1)}@organizers.example`;
  return db.organizer.create({
    data: { email, emailCanonical: email, name: "Eddie Editor", role: "EDITOR" },
    select: { id: true, name: true, email: true, role: true },
  });
}

const everything: ExportChoices = { listedOnly: false, from: null, to: null, bom: false };

/** Runs an export to its end, as the download and the command line do, and returns the file. */
async function exportFile(databaseUrl: string, db: Database, appeal: Appeal, format: ExportFormat, choices: Partial<ExportChoices> = {}, poolOptions: pg.PoolConfig = {}) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, ...poolOptions });
  // An idle connection the server ends (a database dropped by a test's teardown) reports an
  // error on the pool; unheard, it would end the whole file as an uncaught exception.
  pool.on("error", () => undefined);
  try {
    const actor = await addEditor(db);
    const exported = openSignatureExport({ pool, db }, { appeal, format, choices: { ...everything, ...choices }, actor, now: new Date("2026-07-04T23:30:00Z") });
    const chunks: Uint8Array[] = [];
    for await (const chunk of exported.chunks) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    return { bytes, text: bytes.toString("utf8"), outcome: await exported.finished, fileName: exported.fileName, actor };
  } finally {
    await pool.end();
  }
}

/** The CSV's records as objects keyed by its header, after checking the header is exactly the columns. */
function csvRows(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  assert.deepEqual(header, [...exportColumns]);
  for (const record of records) assert.equal(record.length, exportColumns.length, `a record with ${record.length} cells: ${JSON.stringify(record)}`);
  return records.map((record) => Object.fromEntries(exportColumns.map((column, index) => [column, record[index]!])));
}

describe("exporting an appeal's signatures", () => {
  const t = useDatabasePerTest();

  test("a CSV lists confirmed signatures only, oldest confirmation first, in the documented columns", async () => {
    const appeal = await createTestAppeal(t.db);
    const other = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [
      {
        fullName: "Second Signer",
        email: "Second@Example.org",
        role: "teacher",
        city: "Leeds",
        country: "GB",
        comment: "Yes!",
        showPublicly: true,
        wantsUpdates: true,
        confirmedAt: new Date("2026-06-02T08:00:00.250Z"),
      },
      { fullName: "First Signer", confirmedAt: new Date("2026-06-01T07:00:00Z") },
      { fullName: "Pending Signer", status: "PENDING", confirmedAt: null },
      { fullName: "Withdrawn Signer", status: "WITHDRAWN", withdrawnAt: new Date() },
    ]);
    // Same instant: the id decides, so two exports list them in the same order.
    await addSignatures(t.db, appeal, [
      { id: "00000000-0000-4000-8000-000000000002", fullName: "Tie B", confirmedAt: new Date("2026-06-03T00:00:00Z") },
      { id: "00000000-0000-4000-8000-000000000001", fullName: "Tie A", confirmedAt: new Date("2026-06-03T00:00:00Z") },
    ]);
    await addSignatures(t.db, other, [{ fullName: "Someone Elsewhere" }]);

    const { text, outcome, fileName } = await exportFile(t.url, t.db, appeal, "csv");
    const rows = csvRows(text);
    assert.deepEqual(
      rows.map((row) => row.name),
      ["First Signer", "Second Signer", "Tie A", "Tie B"],
    );
    assert.deepEqual(rows[1], {
      confirmed_at: "2026-06-02T08:00:00.250Z",
      name: "Second Signer",
      role_or_organisation: "teacher",
      city: "Leeds",
      country: "GB",
      comment: "Yes!",
      listed_publicly: "yes",
      wants_updates: "yes",
      source: "online",
      email: "Second@Example.org",
    });
    assert.equal(rows[0]!.role_or_organisation, "");
    assert.equal(rows[0]!.listed_publicly, "no");
    assert.equal(rows[0]!.wants_updates, "no");
    assert.match(text, /\r\n$/, "records end with CRLF (RFC 4180)");
    assert.deepEqual(outcome, { completed: true, rows: 4, failed: false });
    assert.equal(fileName, `${appeal.slug}-signatures-2026-07-04.csv`);
  });

  test("listed-only and a range of UTC days (both included) choose the rows, whatever the session's time zone", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [
      { fullName: "Last moment of February", confirmedAt: new Date("2026-02-28T23:59:59.999Z"), showPublicly: true },
      { fullName: "First moment of March", confirmedAt: new Date("2026-03-01T00:00:00.000Z"), showPublicly: true },
      { fullName: "Unlisted in March", confirmedAt: new Date("2026-03-01T12:00:00Z"), showPublicly: false },
      { fullName: "Last moment of 2 March", confirmedAt: new Date("2026-03-02T23:59:59.999Z"), showPublicly: true },
      { fullName: "First moment of 3 March", confirmedAt: new Date("2026-03-03T00:00:00.000Z"), showPublicly: true },
    ]);
    const names = async (choices: Partial<ExportChoices>) => {
      // A session 14 hours ahead of UTC: a day read in the session's zone would shift the range.
      const { text } = await exportFile(t.url, t.db, appeal, "csv", choices, { options: "-c TimeZone=Pacific/Kiritimati" });
      const rows = csvRows(text).map((row) => row.name);
      assert.equal(await countSignaturesToExport(t.db, appeal.id, { ...everything, ...choices }), rows.length, "the page's count matches the file");
      return rows;
    };

    assert.deepEqual(await names({ from: "2026-03-01", to: "2026-03-02" }), ["First moment of March", "Unlisted in March", "Last moment of 2 March"]);
    assert.deepEqual(await names({ from: "2026-03-01", to: "2026-03-02", listedOnly: true }), ["First moment of March", "Last moment of 2 March"]);
    assert.deepEqual(await names({ to: "2026-02-28" }), ["Last moment of February"]);
    assert.deepEqual(await names({ from: "2026-03-03" }), ["First moment of 3 March"]);
    assert.deepEqual(await names({ listedOnly: true }), ["Last moment of February", "First moment of March", "Last moment of 2 March", "First moment of 3 March"]);
    assert.deepEqual(await names({ from: "2026-04-01" }), []);
  });

  test("cells a spreadsheet would run as a formula start with an apostrophe in CSV, and stay as typed in JSON", async () => {
    const appeal = await createTestAppeal(t.db);
    const dangerous = [
      '=HYPERLINK("http://x","y")',
      "+1 555 0100",
      "-2+3",
      "@SUM(A1:A2)",
      "\tTabbed",
      "\rReturned",
      "\nFed",
      "  =after spaces",
      "＝FULLWIDTH()",
    ];
    const harmless = ["Anna-Maria O'Neil", "Ordinary = text later", "mail@example.org", "'already quoted", "1984 Committee", ", comma first", "/slash first"];
    await addSignatures(
      t.db,
      appeal,
      [...dangerous, ...harmless].map((name, index) => ({ fullName: name, confirmedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, index)) })),
    );
    await addSignatures(t.db, appeal, [
      { fullName: "Other cells", role: "=role", city: "+city", comment: "-comment", email: "=x@example.org", confirmedAt: new Date("2026-06-02T00:00:00Z") },
    ]);

    const { text } = await exportFile(t.url, t.db, appeal, "csv");
    const rows = csvRows(text);
    assert.deepEqual(
      rows.map((row) => row.name),
      [...dangerous.map((name) => `'${name}`), ...harmless, "Other cells"],
    );
    // The same file from a server that reads backslashes in strings the old way.
    assert.equal((await exportFile(t.url, t.db, appeal, "csv", {}, { options: "-c standard_conforming_strings=off" })).text, text);
    const other = rows.at(-1)!;
    assert.deepEqual([other.role_or_organisation, other.city, other.comment, other.email], ["'=role", "'+city", "'-comment", "'=x@example.org"]);

    const json = JSON.parse((await exportFile(t.url, t.db, appeal, "json")).text) as Record<string, unknown>[];
    assert.deepEqual(
      json.map((row) => row.name),
      [...dangerous, ...harmless, "Other cells"],
    );
    assert.equal(json.at(-1)!.email, "=x@example.org");
  });

  test("commas, semicolons, quotes and line breaks stay inside their cell, and text stays UTF-8", async () => {
    const appeal = await createTestAppeal(t.db);
    const name = 'Ivanova, Anna "Аня"\nЖанар Қасымқызы';
    const comment = 'First line; second, with "quotes"\r\nthird line ; done';
    await addSignatures(t.db, appeal, [{ fullName: name, comment, city: "Алматы", role: "ООО «Ромашка»" }, { fullName: "Next Person" }]);

    const { text } = await exportFile(t.url, t.db, appeal, "csv");
    const rows = csvRows(text);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.name, name);
    assert.equal(rows[0]!.comment, comment);
    assert.equal(rows[0]!.city, "Алматы");
    assert.equal(rows[0]!.role_or_organisation, "ООО «Ромашка»");
    assert.equal(rows[1]!.name, "Next Person");
    // Every text cell is quoted, so a spreadsheet that splits on semicolons (many locales) keeps it too.
    assert.ok(text.includes('"First line; second, with ""quotes""\r\nthird line ; done"'));
  });

  test("a CSV starts with a byte order mark only when asked; JSON never does", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [{ fullName: "Ана" }]);
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);

    const plain = await exportFile(t.url, t.db, appeal, "csv");
    assert.notDeepEqual(plain.bytes.subarray(0, 3), bom);
    assert.ok(plain.text.startsWith('"confirmed_at"'));

    const forExcel = await exportFile(t.url, t.db, appeal, "csv", { bom: true });
    assert.deepEqual(forExcel.bytes.subarray(0, 3), bom);
    assert.deepEqual(csvRows(forExcel.text.slice(1)), csvRows(plain.text));

    const json = await exportFile(t.url, t.db, appeal, "json", { bom: true });
    assert.equal(json.text[0], "[");
  });

  test("JSON is an array of objects with the same keys, booleans as true/false and missing values as null", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [
      { fullName: "Listed", email: "listed@example.org", country: "KZ", showPublicly: true, wantsUpdates: false, confirmedAt: new Date("2026-06-01T10:00:00Z") },
      { fullName: "Quiet", email: "quiet@example.org", comment: 'He said "no"\n', wantsUpdates: true, confirmedAt: new Date("2026-06-01T11:00:00Z") },
    ]);
    const { text, outcome } = await exportFile(t.url, t.db, appeal, "json");
    const rows = JSON.parse(text) as Record<string, unknown>[];
    assert.deepEqual(rows, [
      {
        confirmed_at: "2026-06-01T10:00:00.000Z",
        name: "Listed",
        role_or_organisation: null,
        city: null,
        country: "KZ",
        comment: null,
        listed_publicly: true,
        wants_updates: false,
        source: "online",
        email: "listed@example.org",
      },
      {
        confirmed_at: "2026-06-01T11:00:00.000Z",
        name: "Quiet",
        role_or_organisation: null,
        city: null,
        country: null,
        comment: 'He said "no"\n',
        listed_publicly: false,
        wants_updates: true,
        source: "online",
        email: "quiet@example.org",
      },
    ]);
    assert.deepEqual(Object.keys(rows[0]!), [...exportColumns]);
    assert.equal(outcome.rows, 2);

    const empty = await createTestAppeal(t.db);
    const emptyFiles = { json: (await exportFile(t.url, t.db, empty, "json")).text, csv: (await exportFile(t.url, t.db, empty, "csv")).text };
    assert.equal(emptyFiles.json, "[]\n", "an empty array, as JSON.stringify writes it");
    assert.equal(emptyFiles.csv, `${exportColumns.map((column) => `"${column}"`).join(",")}\r\n`, "the header alone");
  });

  test("every export is written to the audit log: who, which appeal, the choices, the format and the rows", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [
      { fullName: "A", showPublicly: true },
      { fullName: "B", showPublicly: true },
      { fullName: "C", showPublicly: false },
    ]);
    const { actor } = await exportFile(t.url, t.db, appeal, "csv", { listedOnly: true, from: "2026-01-01", to: "2026-12-31", bom: true });
    await exportFile(t.url, t.db, appeal, "json");

    const events = await t.db.auditEvent.findMany({ where: { appealId: appeal.id }, orderBy: { id: "asc" } });
    assert.equal(events.length, 2);
    assert.equal(events[0]!.action, "export.csv");
    assert.equal(events[0]!.actorId, actor.id);
    assert.equal(events[0]!.actorName, `${actor.name} <${actor.email}>`);
    assert.equal(events[0]!.subject, appeal.slug);
    assert.deepEqual(events[0]!.details, { format: "csv", scope: "listed", from: "2026-01-01", to: "2026-12-31", bom: true, rows: 2, completed: true, failed: false });
    assert.equal(events[1]!.action, "export.json");
    assert.deepEqual(events[1]!.details, { format: "json", scope: "all", from: null, to: null, bom: false, rows: 3, completed: true, failed: false });
  });

  test("an export its reader stops early is recorded as incomplete, and its connection is free again", async () => {
    const appeal = await createTestAppeal(t.db);
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    pool.on("error", () => undefined);
    await insertConfirmedSignatures(pool, appeal.id, 20000);
    try {
      const actor = await addEditor(t.db);
      const exported = openSignatureExport({ pool, db: t.db }, { appeal, format: "csv", choices: everything, actor });
      for await (const chunk of exported.chunks) {
        assert.ok(chunk.byteLength > 0);
        break; // the reader goes away after the first chunk
      }
      const outcome = await exported.finished;
      assert.equal(outcome.completed, false);
      assert.equal(outcome.failed, false);
      assert.ok(outcome.rows > 0 && outcome.rows < 20000, `rows handed over: ${outcome.rows}`);
      assert.equal(pool.totalCount - pool.idleCount, 0, "no connection is still checked out");
      const [event] = await t.db.auditEvent.findMany({ where: { appealId: appeal.id } });
      assert.deepEqual(event?.details, { format: "csv", scope: "all", from: null, to: null, bom: false, rows: outcome.rows, completed: false, failed: false });
      // The one connection of the pool serves the next export at once.
      const again = openSignatureExport({ pool, db: t.db }, { appeal, format: "json", choices: everything, actor });
      let bytes = 0;
      for await (const chunk of again.chunks) bytes += chunk.byteLength;
      assert.equal((await again.finished).rows, 20000);
      assert.ok(bytes > 0);
    } finally {
      // pool.end() waits for every connection to come back: after a failure above it never would.
      if (pool.totalCount === pool.idleCount) await pool.end();
    }
  });

  test("a download the client stops reading (a paused download) gives back its connection after the stall timeout", { timeout: 30_000 }, async () => {
    const appeal = await createTestAppeal(t.db);
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    pool.on("error", () => undefined);
    await insertConfirmedSignatures(pool, appeal.id, 5000);
    try {
      const exported = openSignatureExport({ pool, db: t.db }, { appeal, format: "json", choices: everything, actor: await addEditor(t.db) });
      const reader = (await startStreamingBody(exported.chunks, { stallTimeoutMs: 200 })).getReader();
      assert.equal((await reader.read()).done, false);
      // The client now takes nothing more, and never hangs up.
      const outcome = await exported.finished;
      assert.equal(outcome.completed, false);
      assert.equal(pool.totalCount - pool.idleCount, 0, "no connection is still checked out");
      await assert.rejects(() => reader.read(), /the client took nothing for 200 ms/);
    } finally {
      if (pool.totalCount === pool.idleCount) await pool.end();
    }
  });

  test("choices a person can get wrong are refused with a message for the field, never guessed", () => {
    const problems = (raw: Parameters<typeof parseExportChoices>[0]) => {
      const parsed = parseExportChoices(raw);
      return parsed.ok ? null : Object.fromEntries(Object.entries(parsed.fieldErrors).map(([field, error]) => [field, error!.id]));
    };
    assert.deepEqual(problems({ from: "2026-02-30" }), { from: "export.errors.dateInvalid" });
    assert.deepEqual(problems({ to: "yesterday" }), { to: "export.errors.dateInvalid" });
    assert.deepEqual(problems({ from: "2026-3-1" }), { from: "export.errors.dateInvalid" });
    assert.deepEqual(problems({ scope: "everyone" }), { scope: "export.errors.scopeInvalid" });
    assert.deepEqual(problems({ bom: "yes" }), { bom: "export.errors.bomInvalid" });
    assert.deepEqual(problems({ from: "2026-03-02", to: "2026-03-01" }), { to: "export.errors.rangeReversed" });
    assert.deepEqual(parseExportChoices({ scope: "listed", from: "2024-02-29", to: "2024-02-29", bom: "on" }), {
      ok: true,
      value: { listedOnly: true, from: "2024-02-29", to: "2024-02-29", bom: true },
    });
    // What an untouched form sends: everything, no dates, no BOM.
    assert.deepEqual(parseExportChoices({ scope: "all", from: "", to: "" }), { ok: true, value: everything });
  });
});

describe("the download routes", () => {
  const t = useDatabasePerTest();

  async function download(loader: typeof csvLoader, path: string, options: { organizer?: SignedInOrganizer | null; method?: string } = {}) {
    const context = testLoadContext(t.db, t.url, { organizer: options.organizer === undefined ? await addEditor(t.db) : options.organizer });
    try {
      const [, id] = /appeals\/([^/]+)\//.exec(path) ?? [];
      const response = await loader({ request: new Request(`http://localhost${path}`, { method: options.method ?? "GET" }), params: { id }, context });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } finally {
      await context.close();
    }
  }

  test("answer with the file and headers that keep it private and saved under its name", async () => {
    const appeal = await createTestAppeal(t.db, { slug: `жалоба-${Date.now()}` });
    await addSignatures(t.db, appeal, [{ fullName: "=1+1", showPublicly: true }, { fullName: "Unlisted" }]);
    const today = new Date().toISOString().slice(0, 10);

    const csv = await download(csvLoader, `/organize/appeals/${appeal.id}/export.csv?scope=listed&bom=on`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(csv.headers.get("cache-control"), "no-store");
    assert.equal(csv.headers.get("x-content-type-options"), "nosniff");
    const fileName = `${appeal.slug}-signatures-${today}.csv`;
    assert.equal(
      csv.headers.get("content-disposition"),
      `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    );
    // Response.text() drops a leading BOM, as a decoder should; the rows are what matter here.
    assert.deepEqual(csvRows(csv.text).map((row) => row.name), ["'=1+1"]);

    const json = await download(jsonLoader, `/organize/appeals/${appeal.id}/export.json`);
    assert.equal(json.status, 200);
    assert.equal(json.headers.get("content-type"), "application/json");
    assert.match(json.headers.get("content-disposition") ?? "", /filename\*=UTF-8''.+\.json$/);
    assert.deepEqual((JSON.parse(json.text) as { name: string }[]).map((row) => row.name), ["=1+1", "Unlisted"]);
  });

  test("answer a mistake in the choices with 400 and what to fix, and an unknown appeal with 404", async () => {
    const appeal = await createTestAppeal(t.db);
    const reversed = await download(csvLoader, `/organize/appeals/${appeal.id}/export.csv?from=2026-05-02&to=2026-05-01&scope=all`);
    assert.equal(reversed.status, 400);
    assert.equal(reversed.text, "to: The “to” date must be the same as or later than the “from” date.\n");
    const garbage = await download(jsonLoader, `/organize/appeals/${appeal.id}/export.json?from=%00%ff&scope=x&bom=maybe`);
    assert.equal(garbage.status, 400);
    assert.match(garbage.text, /^scope: .+\nfrom: Enter a date like 2026-03-31\.\nbom: .+\n$/);
    assert.equal((await download(csvLoader, `/organize/appeals/00000000-0000-4000-8000-000000000000/export.csv`)).status, 404);
    assert.equal((await download(csvLoader, `/organize/appeals/not-an-id/export.csv`)).status, 404);
    assert.equal(await t.db.auditEvent.count(), 0, "nothing was exported");
  });

  test("ask the request for an organizer allowed to export, and a HEAD request exports nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSignatures(t.db, appeal, [{ fullName: "Someone" }]);
    await assert.rejects(
      () => download(csvLoader, `/organize/appeals/${appeal.id}/export.csv`, { organizer: null }),
      (error: unknown) => (error as { init?: { status?: number } }).init?.status === 401,
    );
    const head = await download(csvLoader, `/organize/appeals/${appeal.id}/export.csv`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
    assert.equal(await t.db.auditEvent.count(), 0);
  });
});
