/**
 * How long a page of the moderation table takes with 1,000,000 signatures on one appeal: the
 * first page, a page deep in the list (keyset cursor), and common filters, each through the
 * domain function (Prisma) beside the same SQL sent with pg as the baseline. Also how long a
 * bulk invalidation's count, its application to 10,000 signatures and its undo take. Prints
 * figures; never fails on timing.
 *
 *   npm run bench:moderation
 *   BENCH_ROWS=200000 BENCH_DATABASE_URL=postgres://… npm run bench:moderation
 */
import os from "node:os";
import { createAppeal } from "~/domain/appeals";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { demoAppeal } from "~/domain/demo-appeal";
import {
  applyBulkInvalidation,
  listSignaturesForModeration,
  moderationPageQuery,
  noSignatureFilters,
  previewBulkInvalidation,
  readSignatureFilters,
  undoBulkInvalidation,
  type SignatureFilters,
} from "~/domain/moderation.server";
import { createDatabaseClient } from "~/infra/db.server";
import { applyMigrations } from "~/infra/migrations.server";
import { insertConfirmedSignatures } from "../tests/support/bulk-signatures";
import { createBenchDatabase, openBenchPool } from "./support/database";

const rowCount = Number(process.env.BENCH_ROWS ?? 1_000_000);
const runs = 30;
const pageSize = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  for (let warm = 0; warm < 3; warm++) await run();
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main() {
  const database = await createBenchDatabase("moderation");
  const databaseUrl = database.url;
  const db = createDatabaseClient(databaseUrl, { maxConnections: 2 });
  const pool = openBenchPool(databaseUrl, 1);

  try {
    await applyMigrations(databaseUrl);
    const version = (await pool.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    console.log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ` +
        `PostgreSQL ${version} (${database.server}); ${rowCount.toLocaleString("en")} signatures on one appeal`,
    );
    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-moderation" });
    let started = performance.now();
    await insertConfirmedSignatures(pool, appeal.id, rowCount);
    // What moderation filters on: one signature in a hundred from a bot domain and network, and
    // the counts the confirmations would have made.
    await pool.query(
      `UPDATE "Signature" SET "networkAddress" = ('198.51.100.' || (n % 250))::inet,
         email = CASE WHEN n % 100 = 0 THEN 'bot' || n || '@spam.example' ELSE email END,
         "emailCanonical" = CASE WHEN n % 100 = 0 THEN 'bot' || n || '@spam.example' ELSE "emailCanonical" END
       FROM (SELECT id, row_number() OVER () AS n FROM "Signature") numbered WHERE numbered.id = "Signature".id`,
    );
    await pool.query(
      `INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed)
       SELECT $1::uuid, 0, count(*), count(*) FILTER (WHERE "showPublicly") FROM "Signature" WHERE "appealId" = $1::uuid`,
      [appeal.id],
    );
    await pool.query(`VACUUM ANALYZE "Signature"`);
    console.log(`Inserted, addressed and vacuumed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // A cursor half-way down: the position of the signature there.
    const deep = (
      await pool.query<{ createdAt: Date; id: string }>(`SELECT "createdAt", id::text FROM "Signature" WHERE "appealId" = $1 ORDER BY "createdAt" DESC, id DESC OFFSET $2 LIMIT 1`, [appeal.id, Math.floor(rowCount / 2)])
    ).rows[0]!;
    const deepCursor = Buffer.from(`${deep.createdAt.toISOString()}|${deep.id}`, "utf8").toString("base64url");

    const filtered = (query: string): SignatureFilters => readSignatureFilters(new URLSearchParams(query)).filters;
    const cases: { label: string; filters: SignatureFilters; cursor: string | null }[] = [
      { label: "first page, no filter", filters: noSignatureFilters, cursor: null },
      { label: `page at row ${Math.floor(rowCount / 2).toLocaleString("en")} (keyset cursor)`, filters: noSignatureFilters, cursor: deepCursor },
      { label: "state = confirmed", filters: filtered("state=confirmed"), cursor: null },
      { label: "email domain spam.example (1 in 100)", filters: filtered("domain=spam.example"), cursor: null },
      { label: "network 198.51.100.7 (1 in 250)", filters: filtered("network=198.51.100.7"), cursor: null },
      { label: "one day (from = to)", filters: filtered("from=2026-01-05&to=2026-01-05"), cursor: null },
      { label: "text 'Ivanova 99999' (one match)", filters: filtered("q=Ivanova%2099999"), cursor: null },
    ];
    console.log(`\nA page of ${pageSize}, median of ${runs} runs after 3 warm-ups:`);
    console.log(`${"".padEnd(44)}${"domain (Prisma)".padStart(18)}${"same SQL, pg".padStart(16)}   plan`);
    for (const { label, filters, cursor } of cases) {
      const query = moderationPageQuery(appeal.id, filters, { cursor, limit: pageSize });
      const viaDomain = await timed(() => listSignaturesForModeration(db, appeal.id, filters, { cursor, limit: pageSize }));
      const direct = await timed(() => pool.query(query.text, query.values as unknown[]));
      const plan = (await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN ${query.text}`, query.values as unknown[])).rows.map((row) => row["QUERY PLAN"].trim());
      const scan = plan.find((line) => /Scan/.test(line))?.replace(/\s+\(cost.*$/, "").replace(/^->\s*/, "") ?? plan[0];
      console.log(`${label.padEnd(44)}${ms(viaDomain).padStart(18)}${ms(direct).padStart(16)}   ${scan}`);
    }

    const organizer = { id: "00000000-0000-0000-0000-000000000000", name: "Bench", email: "bench@example.org", role: "OWNER" as const };
    const criteria = { emailDomain: "spam.example", network: null, from: null, to: null };
    started = performance.now();
    const preview = await previewBulkInvalidation(db, appeal.id, criteria);
    const previewMs = performance.now() - started;
    started = performance.now();
    const applied = await applyBulkInvalidation(db, organizer, appeal.id, criteria, preview.asOf);
    const applyMs = performance.now() - started;
    started = performance.now();
    const restored = applied ? await undoBulkInvalidation(db, organizer, appeal.id, applied.actionId) : null;
    const undoMs = performance.now() - started;
    const [counts, recount] = await Promise.all([getSignatureCounts(db, appeal.id), recountSignatures(db, appeal.id)]);
    console.log(
      `\nBulk by domain: count ${(preview.confirmed + preview.pending).toLocaleString("en")} matching in ${ms(previewMs)}, ` +
        `invalidate ${applied?.invalidated.toLocaleString("en")} in ${ms(applyMs)}, undo ${restored?.toLocaleString("en")} in ${ms(undoMs)}; ` +
        `counts ${counts.confirmed === recount.confirmed && counts.listed === recount.listed ? "agree with a recount" : `DISAGREE: ${JSON.stringify({ counts, recount })}`}`,
    );
  } finally {
    await db.$disconnect();
    await pool.end();
    await database.drop();
  }
}

await main();
