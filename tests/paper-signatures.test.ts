/**
 * Paper signatures: an organizer uploads a CSV of signatures collected offline, sees which rows
 * would be imported and why the others would not, imports them (they count at once, are listed
 * only where the signer agreed, and are marked as paper in exports), and can undo the import.
 * The sharded counts must agree with a recount at every step.
 *
 *   TEST_DATABASE_URL=postgres://… npx tsx --test tests/paper-signatures.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { confirmAndCount, getSignatureCounts, recountSignatures } from "~/domain/counts";
import { openSignatureExport, type ExportFormat } from "~/domain/exports.server";
import { moderateSignature } from "~/domain/moderation.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import {
  applyPaperImport,
  getStagedPaperImport,
  listPaperImports,
  maxPaperSheetBytes,
  maxPaperSheetRows,
  stagePaperImport,
  undoPaperImport,
  type RowProblem,
} from "~/domain/paper-signatures";
import { listPublicSigners } from "~/domain/signers";
import { signAppeal, validateSignature } from "~/domain/signatures";
import type { Database } from "~/infra/db.server";
import { action as paperAction } from "~/routes/organize.appeals.$id.paper";
import { createTestAppeal } from "./support/appeals";
import { testLoadContext } from "./support/context";
import { parseCsv } from "./support/csv";
import { useDatabasePerTest } from "./support/database";

async function anEditor(db: Database): Promise<SignedInOrganizer> {
  return db.organizer.create({
    data: { email: "ed@example.org", emailCanonical: "ed@example.org", name: "Ed Editor", role: "EDITOR" },
    select: { id: true, name: true, email: true, role: true },
  });
}

/** An online signature, confirmed. */
async function signOnline(db: Database, appealId: string, fields: { fullName: string; email: string; city?: string }): Promise<string> {
  const validated = validateSignature({ ...fields, acceptPrivacy: "on", showPublicly: "on" });
  assert.ok(validated.ok, JSON.stringify(validated));
  const { signatureId } = await signAppeal(db, appealId, validated.input, { locale: "en", networkAddress: "203.0.113.7", userAgent: "test" });
  assert.equal(await confirmAndCount(db, signatureId), true);
  return signatureId;
}

async function exactCounts(db: Database, appealId: string, when: string) {
  const counts = await getSignatureCounts(db, appealId);
  assert.deepEqual(counts, await recountSignatures(db, appealId), `the counts agree with a recount ${when}`);
  return counts;
}

async function allPublicNames(db: Database, appealId: string): Promise<string[]> {
  const names: string[] = [];
  let after: { confirmedAt: Date; id: string } | null = null;
  for (;;) {
    const page = await listPublicSigners(db, appealId, { after, limit: 500 });
    names.push(...page.signers.map((signer) => signer.fullName));
    const last = page.signers.at(-1);
    if (!page.nextCursor || !last) return names;
    after = { confirmedAt: last.confirmedAt, id: last.id };
  }
}

async function exportText(databaseUrl: string, db: Database, appeal: { id: string; slug: string }, actor: SignedInOrganizer, format: ExportFormat): Promise<string> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const exported = openSignatureExport({ pool, db }, { appeal, format, choices: { listedOnly: false, from: null, to: null, bom: false }, actor });
    const chunks: Uint8Array[] = [];
    for await (const chunk of exported.chunks) chunks.push(chunk);
    await exported.finished;
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    await pool.end();
  }
}

const sheet = (text: string, fileName = "sheet.csv") => ({ fileName, bytes: Buffer.from(text, "utf8") });

type PlannedRow = { cells: string[]; problem: RowProblem | null; listed: boolean };

/**
 * 1,000 rows, one in ten with a known problem, each problem on rows that can be computed. Rows
 * without an email every third row; consent alternates.
 */
function thousandRows(): PlannedRow[] {
  const rows: PlannedRow[] = [];
  for (let i = 0; i < 1000; i += 1) {
    // Every third row has no address, except the one before each duplicate address (case 53).
    const email = i % 3 === 0 && i % 100 !== 52 ? "" : `paper-${i}@example.org`;
    const listed = i % 2 === 0;
    const base = [`Paper Signer ${i}`, "nurse", `Town ${i}`, "DE", "2026-03-01", email, listed ? "yes" : "no"];
    const planned: PlannedRow = { cells: base, problem: null, listed };
    switch (i % 100) {
      case 5:
        planned.cells[0] = "";
        planned.problem = "nameMissing";
        break;
      case 17:
        planned.cells[3] = "Narnia";
        planned.problem = "countryUnknown";
        break;
      case 29:
        planned.cells[4] = "31.02.2026";
        planned.problem = "dateInvalid";
        break;
      case 41:
        planned.cells[5] = "Online.Signer@Example.org";
        planned.problem = "duplicateOfSignature";
        break;
      case 53:
        // The same address as the row before, written differently.
        planned.cells[5] = `PAPER-${i - 1}@example.org`;
        planned.problem = "duplicateInSheet";
        break;
      case 67:
        // No email, and the name and city of a signature already on the appeal.
        planned.cells[0] = "ANNA   Online";
        planned.cells[2] = "hamburg";
        planned.cells[5] = "";
        planned.problem = "duplicateOfSignature";
        break;
      case 79:
        planned.cells[4] = "2099-01-01";
        planned.problem = "dateInFuture";
        break;
      case 88:
        planned.cells[5] = "not an address";
        planned.problem = "emailInvalid";
        break;
      case 94:
        planned.cells[6] = "perhaps";
        planned.problem = "consentInvalid";
        break;
    }
    rows.push(planned);
  }
  return rows;
}

function csvOf(rows: PlannedRow[], delimiter = ","): string {
  const header = ["Name", "Role", "City", "Country", "Date collected", "Email", "List publicly"].join(delimiter);
  return [header, ...rows.map((row) => row.cells.join(delimiter))].join("\r\n") + "\r\n";
}

describe("paper signatures", () => {
  const t = useDatabasePerTest();

  test("a sheet of 1,000 rows: the preview is right, the import counts, lists and exports as paper, and undo takes it all back", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    await signOnline(t.db, appeal.id, { fullName: "Online Signer", email: "online.signer@example.org", city: "Lyon" });
    await signOnline(t.db, appeal.id, { fullName: "Anna Online", email: "anna@example.org", city: "Hamburg" });
    const before = await exactCounts(t.db, appeal.id, "before the import");
    assert.deepEqual(before, { confirmed: 2, listed: 2 });

    const planned = thousandRows();
    const staged = await stagePaperImport(t.db, editor, appeal.id, sheet(csvOf(planned), "Sheets from the market.csv"), new Date("2026-04-01T12:00:00Z"));
    assert.ok(staged.ok, JSON.stringify(staged));
    const expectedAccepted = planned.filter((row) => row.problem === null);
    assert.equal(staged.preview.total, 1000);
    assert.equal(expectedAccepted.length, 910);
    planned.forEach((row, index) => {
      const result = staged.preview.rows[index]!;
      assert.equal(result.row, index + 2, "rows are numbered as in the spreadsheet (the header is row 1)");
      if (row.problem === null) assert.equal(result.accepted, true, `row ${index + 2} is accepted`);
      else assert.deepEqual(result.accepted ? "accepted" : result.problem, row.problem, `row ${index + 2}: ${row.problem}`);
    });
    assert.equal(staged.preview.accepted, 910);
    assert.equal(staged.preview.rejected, 90);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the preview"), before, "a preview changes nothing");

    // The staged sheet can be looked at again (the page after the upload).
    const again = await getStagedPaperImport(t.db, appeal.id, staged.importId);
    assert.equal(again?.preview.accepted, 910);

    const imported = await applyPaperImport(t.db, editor, appeal.id, staged.importId);
    assert.deepEqual(imported, { ok: true, imported: 910, rejected: 90 });
    assert.deepEqual(await applyPaperImport(t.db, editor, appeal.id, staged.importId), { ok: false, reason: "unknown" }, "a second click imports nothing more");

    const expectedListed = expectedAccepted.filter((row) => row.listed).length;
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the import"), { confirmed: 2 + 910, listed: 2 + expectedListed });

    const publicNames = new Set(await allPublicNames(t.db, appeal.id));
    assert.equal(publicNames.size, 2 + expectedListed);
    for (const row of expectedAccepted) assert.equal(publicNames.has(row.cells[0]!), row.listed, `${row.cells[0]} is listed only if they agreed`);

    const paper = await t.db.signature.findMany({ where: { appealId: appeal.id, source: "PAPER" } });
    assert.equal(paper.length, 910);
    assert.ok(paper.every((signature) => signature.status === "CONFIRMED" && !signature.wantsUpdates && signature.emailsSent === 0));
    assert.equal(paper.find((signature) => signature.fullName === "Paper Signer 0")?.confirmedAt?.toISOString(), "2026-03-01T00:00:00.000Z", "confirmed on the day collected");
    assert.equal(paper.find((signature) => signature.fullName === "Paper Signer 0")?.email, null);
    assert.equal(await t.db.signatureToken.count({ where: { signature: { source: "PAPER" } } }), 0, "no links, no emails");
    const outbox = await t.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM graphile_worker._private_jobs`;
    assert.equal(outbox[0]?.count, 2, "only the two online signatures' emails were queued");

    const csv = parseCsv(await exportText(t.url, t.db, appeal, editor, "csv"));
    const sourceAt = csv[0]!.indexOf("source");
    assert.ok(sourceAt >= 0, "the CSV has a source column");
    assert.equal(csv.slice(1).filter((record) => record[sourceAt] === "paper").length, 910);
    assert.equal(csv.slice(1).filter((record) => record[sourceAt] === "online").length, 2);
    const json = JSON.parse(await exportText(t.url, t.db, appeal, editor, "json")) as { source: string; name: string; email: string | null }[];
    assert.equal(json.filter((row) => row.source === "paper").length, 910);
    assert.deepEqual(json.find((row) => row.name === "Online Signer")?.source, "online");

    const [history] = await listPaperImports(t.db, appeal.id);
    assert.equal(history?.fileName, "Sheets from the market.csv");
    assert.equal(history?.imported, 910);
    assert.equal(history?.rowsTotal, 1000);
    assert.equal(history?.rowsRejected, 90);
    assert.equal((await t.db.paperImport.findUnique({ where: { id: staged.importId } }))?.content, null, "the sheet itself is not kept once imported");

    // Moderation still works on paper signatures, and undo takes back exactly what they count now.
    const hidden = paper.find((signature) => signature.showPublicly)!;
    assert.equal(await moderateSignature(t.db, editor, appeal.id, hidden.id, "hide"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after hiding one"), { confirmed: 2 + 910, listed: 2 + expectedListed - 1 });

    assert.equal(await undoPaperImport(t.db, editor, appeal.id, staged.importId), 910);
    assert.equal(await undoPaperImport(t.db, editor, appeal.id, staged.importId), null, "undone once only");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the undo"), before);
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id, source: "PAPER" } }), 0);
    assert.deepEqual((await allPublicNames(t.db, appeal.id)).sort(), ["Anna Online", "Online Signer"]);

    const audit = await t.db.auditEvent.findMany({ where: { appealId: appeal.id, action: { startsWith: "paper-signatures." } }, orderBy: { id: "asc" } });
    assert.deepEqual(
      audit.map((event) => [event.action, event.actorName, event.details]),
      [
        ["paper-signatures.imported", "Ed Editor <ed@example.org>", { importId: staged.importId, fileName: "Sheets from the market.csv", rows: 1000, imported: 910, rejected: 90 }],
        ["paper-signatures.import-undone", "Ed Editor <ed@example.org>", { importId: staged.importId, fileName: "Sheets from the market.csv", removed: 910 }],
      ],
    );
  });

  test("Excel's semicolons and byte order mark, header names in any case, names of countries and day-first dates", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const text = "\uFEFFNAME;role;CITY;Country;DATE_COLLECTED;e-mail;List_Publicly\r\n" +
      "Jürgen Müller;Bäcker, Meister;Köln;Deutschland;1.3.2026;;ja\r\n" +
      '"Zoë ""Zo"" Ng";;Paris;France;02/03/2026;zoe@example.org;\r\n' +
      ";;;;;;\r\n" +
      "Ola Nordmann;;Oslo;no;2026-03-03;;x\r\n";
    const staged = await stagePaperImport(t.db, editor, appeal.id, sheet(text), new Date("2026-04-01T00:00:00Z"));
    assert.ok(staged.ok, JSON.stringify(staged));
    assert.equal(staged.preview.accepted, 3, JSON.stringify(staged.preview.rows));
    assert.deepEqual(
      staged.preview.rows.map((row) => (row.accepted ? [row.row, row.signer.fullName, row.signer.role, row.signer.country, row.signer.collectedOn, row.signer.email, row.signer.showPublicly] : row)),
      [
        [2, "Jürgen Müller", "Bäcker, Meister", "DE", "2026-03-01", null, true],
        [3, 'Zoë "Zo" Ng', null, "FR", "2026-03-02", "zoe@example.org", false],
        [5, "Ola Nordmann", null, "NO", "2026-03-03", null, true],
      ],
      "the blank line is skipped but keeps its row number",
    );
    assert.deepEqual(await applyPaperImport(t.db, editor, appeal.id, staged.importId), { ok: true, imported: 3, rejected: 0 });
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after a semicolon sheet"), { confirmed: 3, listed: 2 });
  });

  test("a sheet that is too large, too long, not CSV or missing a column is refused as a whole with a clear error, never a 500", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const context = testLoadContext(t.db, t.url, { organizer: editor });
    const url = `http://localhost/organize/appeals/${appeal.id}/paper`;
    const upload = async (bytes: Buffer | string | null, fileName = "sheet.csv") => {
      const form = new FormData();
      form.set("intent", "upload");
      if (bytes !== null) form.set("file", new Blob([typeof bytes === "string" ? bytes : new Uint8Array(bytes)], { type: "text/csv" }), fileName);
      try {
        const result = (await paperAction({ request: new Request(url, { method: "POST", body: form }), params: { id: appeal.id }, context })) as unknown as
          | Response
          | { init?: { status?: number }; data?: { fieldErrors?: { file?: { id: string; values?: Record<string, unknown> } } } };
        if (result instanceof Response) return { status: result.status, location: result.headers.get("location"), error: null };
        return { status: result.init?.status ?? 200, location: null, error: result.data?.fieldErrors?.file ?? null };
      } catch (thrown) {
        return { status: (thrown as { init?: { status?: number } }).init?.status ?? 500, location: null, error: null };
      }
    };
    try {
      const header = "name,role,city,country,date_collected,email,list_publicly\n";
      const oversized = header + "A Person,,Somewhere,DE,2026-03-01,,yes\n".repeat(Math.ceil(maxPaperSheetBytes / 38) + 10);
      assert.ok(oversized.length > maxPaperSheetBytes);
      assert.deepEqual(await upload(oversized), { status: 413, location: null, error: { id: "paper.errors.tooLarge", values: { maxMegabytes: 2 } } });

      const tooLong = header + Array.from({ length: maxPaperSheetRows + 1 }, (_, i) => `P${i},,C,DE,2026-03-01,,`).join("\n");
      assert.ok(tooLong.length < maxPaperSheetBytes);
      assert.deepEqual(await upload(tooLong), { status: 400, location: null, error: { id: "paper.errors.tooManyRows", values: { maxRows: 20_000 } } });

      assert.deepEqual(await upload('name,country,date_collected\n"Unclosed,DE,2026-03-01\n'), { status: 400, location: null, error: { id: "paper.errors.notCsv", values: { line: 2 } } });
      assert.deepEqual(await upload("name,city,date\nA,B,2026-03-01\n"), { status: 400, location: null, error: { id: "paper.errors.columnMissing", values: { column: "country" } } });
      assert.deepEqual(await upload(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0xff, 0xfe, 0x0a])), { status: 400, location: null, error: { id: "paper.errors.notUtf8", values: {} } });
      assert.deepEqual(await upload(null), { status: 400, location: null, error: { id: "paper.errors.missing", values: {} } });
      assert.deepEqual(await upload(""), { status: 400, location: null, error: { id: "paper.errors.empty", values: {} } });
      assert.deepEqual(await upload("name,country,date_collected\n"), { status: 400, location: null, error: { id: "paper.errors.empty", values: {} } });

      const fine = await upload(`${header}A Person,,Somewhere,DE,2026-03-01,,yes\n`);
      assert.equal(fine.status, 303);
      assert.match(fine.location ?? "", /\?import=[0-9a-f-]{36}#preview$/);
      assert.deepEqual(await exactCounts(t.db, appeal.id, "after uploads"), { confirmed: 0, listed: 0 }, "nothing is imported by an upload");
    } finally {
      await context.close();
    }
  });
});
