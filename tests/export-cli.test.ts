/**
 * `npm run export` as a person runs it: the file on standard output, one sentence on standard
 * error, and the exit code.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exportColumns } from "~/domain/exports.server";
import { createTestAppeal } from "./support/appeals";
import { parseCsv } from "./support/csv";
import { useDatabasePerTest } from "./support/database";
import { hasStackTrace, runProcess } from "./support/processes";

describe("npm run export", () => {
  const t = useDatabasePerTest();
  const runExport = (args: string[]) => runProcess("node", ["--import", "tsx", "scripts/export.ts", ...args], { env: { DATABASE_URL: t.url } });

  async function addSigners(appealId: string) {
    await t.db.signature.createMany({
      data: [
        { fullName: "Listed, Early", showPublicly: true, confirmedAt: new Date("2026-05-01T09:00:00Z") },
        { fullName: "@Listed Later", showPublicly: true, confirmedAt: new Date("2026-05-03T09:00:00Z") },
        { fullName: "Unlisted", showPublicly: false, confirmedAt: new Date("2026-05-02T09:00:00Z") },
        { fullName: "Pending", status: "PENDING" as const, confirmedAt: null },
      ].map((signer, index) => ({ status: "CONFIRMED" as const, ...signer, appealId, email: `cli${index}@example.org`, emailCanonical: `cli${index}@example.org` })),
    });
  }

  test("writes the CSV to standard output, says what it did on standard error, and records the export", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSigners(appeal.id);

    const run = await runExport(["--appeal", appeal.slug, "--format", "csv", "--listed-only", "--bom"]);
    assert.equal(run.code, 0, run.output);
    assert.ok(run.stdout.startsWith("\uFEFF"));
    const [header, ...rows] = parseCsv(run.stdout.slice(1));
    assert.deepEqual(header, [...exportColumns]);
    assert.deepEqual(
      rows.map((row) => row[1]),
      ["Listed, Early", "'@Listed Later"],
    );
    assert.match(run.stderr, /Exported 2 signatures in [\d.]+ s; recorded in the audit log\.\n$/);

    const [event] = await t.db.auditEvent.findMany({ where: { appealId: appeal.id } });
    assert.equal(event?.actorName, "command line");
    assert.equal(event?.actorId, null);
    assert.equal(event?.action, "export.csv");
    assert.deepEqual(event?.details, { format: "csv", scope: "listed", from: null, to: null, bom: true, rows: 2, completed: true, failed: false });
  });

  test("writes JSON for a range of days", async () => {
    const appeal = await createTestAppeal(t.db);
    await addSigners(appeal.id);
    const run = await runExport(["--appeal", appeal.slug, "--format", "json", "--from", "2026-05-02", "--to", "2026-05-03"]);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(
      (JSON.parse(run.stdout) as { name: string }[]).map((row) => row.name),
      ["Unlisted", "@Listed Later"],
    );
  });

  test("an unknown appeal or a wrong option is one sentence on standard error and exit code 2", async () => {
    const appeal = await createTestAppeal(t.db);
    const mistakes: [string[], RegExp][] = [
      [["--appeal", "no-such-appeal", "--format", "csv"], /^There is no appeal with the slug "no-such-appeal"\.$/],
      [["--appeal", appeal.slug, "--format", "xlsx"], /^Choose the file format with --format csv or --format json\.$/],
      [["--format", "csv"], /^Name the appeal with --appeal <slug> \(see --help\)\.$/],
      [["--appeal", appeal.slug, "--format", "csv", "--from", "2026-02-30"], /^--from 2026-02-30: Enter a date like 2026-03-31\.$/],
      [["--appeal", appeal.slug, "--format", "csv", "--from", "2026-03-02", "--to", "2026-03-01"], /^--to 2026-03-01: The “to” date must be/],
      [["--appeal", appeal.slug, "--format", "csv", "--everyone"], /^Unknown option --everyone \(see --help\)\.$/],
      [["--appeal"], /^Option --appeal needs a value \(see --help\)\.$/],
      [["--appeal", appeal.slug, "--format", "csv", "extra"], /^Unexpected argument extra: options start with -- \(see --help\)\.$/],
    ];
    for (const [args, sentence] of mistakes) {
      const run = await runExport(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.output}`);
      assert.equal(run.stdout, "", args.join(" "));
      assert.match(run.stderr, /^[^\n]+\n$/, `one line: ${run.stderr}`);
      assert.match(run.stderr.trimEnd(), sentence, args.join(" "));
      assert.ok(!hasStackTrace(run.stderr), run.stderr);
    }
    assert.equal(await t.db.auditEvent.count(), 0);

    const help = await runExport(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run export -- --appeal <slug> --format csv\|json/);
  });
});
