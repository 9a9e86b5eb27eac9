/**
 * How long importing a sheet of 10,000 paper signatures takes on an appeal that already holds
 * 100,000 online ones: checking the sheet (parse, row rules, duplicates against the appeal, staged
 * for the preview), importing it (judged again, inserted, counted, audited, in one transaction)
 * and undoing it. The baseline, measured in the same run on the same server, is Postgres's own
 * COPY of the very same CSV into a scratch table: the least any import of these bytes can cost.
 * Prints figures; never fails on timing.
 *
 *   npm run bench:paper
 *   BENCH_SHEET_ROWS=20000 BENCH_ROWS=1000000 BENCH_DATABASE_URL=postgres://… npm run bench:paper
 */
import os from "node:os";
import pg from "pg";
import { createAppeal } from "~/domain/appeals";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { demoAppeal } from "~/domain/demo-appeal";
import { applyPaperImport, stagePaperImport, undoPaperImport } from "~/domain/paper-signatures";
import { createDatabaseClient } from "~/infra/db.server";
import { applyMigrations } from "~/infra/migrations.server";
import { insertConfirmedSignatures } from "../tests/support/bulk-signatures";
import { createBenchDatabase, openBenchPool } from "./support/database";

const sheetRows = Number(process.env.BENCH_SHEET_ROWS ?? 10_000);
const existingRows = Number(process.env.BENCH_ROWS ?? 100_000);
const rounds = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** A sheet as organizers fill the template: a third without email, half agreeing to be listed. */
function makeSheet(round: number): string {
  const lines = ["name,role,city,country,date_collected,email,list_publicly"];
  for (let index = 0; index < sheetRows; index++) {
    const email = index % 3 === 0 ? "" : `paper-${round}-${index}@example.org`;
    lines.push(`Paper Signer ${round}-${index},teacher,Town ${index % 500},${index % 2 ? "DE" : "France"},2026-03-0${1 + (index % 9)},${email},${index % 2 ? "yes" : "no"}`);
  }
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * COPY … FROM STDIN with the pg driver's own protocol hooks (no extra dependency): the query is
 * sent, and when the server asks for the data the whole CSV goes in one chunk.
 */
function copyIn(client: pg.Client, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    type Connection = { query: (text: string) => void; sendCopyFromChunk: (chunk: Buffer) => void; endCopyFrom: () => void };
    const submittable = {
      submit: (connection: Connection) => connection.query(sql),
      handleCopyInResponse: (connection: Connection) => {
        connection.sendCopyFromChunk(data);
        connection.endCopyFrom();
      },
      handleCommandComplete: () => undefined,
      handleError: (error: Error) => {
        failure = error;
      },
      handleReadyForQuery: () => (failure ? reject(failure) : resolve()),
    };
    void client.query(submittable as unknown as pg.QueryConfig);
  });
}

async function main() {
  const database = await createBenchDatabase("paper");
  const databaseUrl = database.url;
  const db = createDatabaseClient(databaseUrl, { maxConnections: 2 });
  const pool = openBenchPool(databaseUrl, 1);
  const client = new pg.Client({ connectionString: databaseUrl });

  try {
    await applyMigrations(databaseUrl);
    await client.connect();
    const version = (await pool.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    console.log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ` +
        `PostgreSQL ${version} (${database.server}); a sheet of ${sheetRows.toLocaleString("en")} rows, ` +
        `${existingRows.toLocaleString("en")} online signatures already on the appeal`,
    );
    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-paper" });
    await insertConfirmedSignatures(pool, appeal.id, existingRows);
    await pool.query(
      `INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
       SELECT $1::uuid, 0, count(*), count(*) FILTER (WHERE "showPublicly") FROM "Signature" WHERE "appealId" = $1::uuid`,
      [appeal.id],
    );
    await pool.query(`VACUUM ANALYZE "Signature"`);
    const organizer = { id: "00000000-0000-0000-0000-000000000000", name: "Bench", email: "bench@example.org", role: "OWNER" as const };

    await client.query(`CREATE TABLE scratch (name text, role text, city text, country text, date_collected text, email text, list_publicly text)`);
    const times = { copy: [] as number[], check: [] as number[], importing: [] as number[], undo: [] as number[] };
    let bytes = 0;
    let imported = 0;
    let agree = true;
    // One warm-up round (not counted), then `rounds` rounds, each with a sheet of its own.
    for (let round = 0; round <= rounds; round++) {
      const sheet = Buffer.from(makeSheet(round), "utf8");
      bytes = sheet.byteLength;

      await client.query("TRUNCATE scratch");
      let started = performance.now();
      await copyIn(client, "COPY scratch FROM STDIN WITH (FORMAT csv, HEADER true)", sheet);
      const copyMs = performance.now() - started;

      started = performance.now();
      const staged = await stagePaperImport(db, organizer, appeal.id, { fileName: `round-${round}.csv`, bytes: sheet });
      const checkMs = performance.now() - started;
      if (!staged.ok) throw new Error(`the sheet was refused: ${JSON.stringify(staged)}`);

      started = performance.now();
      const outcome = await applyPaperImport(db, organizer, appeal.id, staged.importId);
      const importMs = performance.now() - started;
      if (!outcome.ok) throw new Error(`the import failed: ${JSON.stringify(outcome)}`);
      imported = outcome.imported;
      const [counts, recount] = await Promise.all([getSignatureCounts(db, appeal.id), recountSignatures(db, appeal.id)]);
      agree &&= counts.confirmed === recount.confirmed && counts.listed === recount.listed && counts.confirmed === existingRows + imported;

      started = performance.now();
      const removed = await undoPaperImport(db, organizer, appeal.id, staged.importId);
      const undoMs = performance.now() - started;
      if (removed !== imported) throw new Error(`undo removed ${removed}, not ${imported}`);
      const [after, recountAfter] = await Promise.all([getSignatureCounts(db, appeal.id), recountSignatures(db, appeal.id)]);
      agree &&= after.confirmed === existingRows && after.confirmed === recountAfter.confirmed && after.listed === recountAfter.listed;

      if (round === 0) continue;
      times.copy.push(copyMs);
      times.check.push(checkMs);
      times.importing.push(importMs);
      times.undo.push(undoMs);
    }

    const copy = median(times.copy);
    const row = (label: string, value: number, baseline: boolean) =>
      console.log(`${label.padEnd(58)}${ms(value).padStart(12)}${baseline ? "" : `${`×${(value / copy).toFixed(1)} of COPY`.padStart(18)}`}`);
    console.log(`\nSheet: ${(bytes / 1024).toFixed(0)} KB, ${imported.toLocaleString("en")} rows imported each round; median of ${rounds} rounds after a warm-up:`);
    row("baseline: COPY of the same CSV into a scratch table", copy, true);
    row("check the sheet (parse, rules, duplicates, stage preview)", median(times.check), false);
    row("import (judge again, insert, count, audit; one transaction)", median(times.importing), false);
    row("check + import, what the organizer waits for in all", median(times.check) + median(times.importing), false);
    row(`undo (delete ${imported.toLocaleString("en")} signatures, count, audit)`, median(times.undo), false);
    console.log(`\nCounts ${agree ? "agree with a recount after every import and undo" : "DISAGREE with a recount"}.`);
  } finally {
    await client.end().catch(() => undefined);
    await db.$disconnect();
    await pool.end();
    await database.drop();
  }
}

await main();
