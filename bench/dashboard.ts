/**
 * What the per-appeal dashboard costs on a big appeal: EXPLAIN ANALYZE of each of its queries
 * and the whole dashboard's time, on 1,000,000 confirmed signatures spread over 180 days (plus
 * pending, withdrawn and another appeal's signatures beside them), with and without the index
 * decision 015 adds. Prints figures; never fails on timing.
 *
 *   npm run bench:dashboard
 *   BENCH_ROWS=200000 TEST_DATABASE_URL=postgres://… npm run bench:dashboard
 */
import pg from "pg";
import { createAppeal } from "~/domain/appeals";
import { dashboardQueries, getAppealDashboard } from "~/domain/dashboard.server";
import { demoAppeal } from "~/domain/demo-appeal";
import { createTestDatabase } from "../tests/support/database";

const rowCount = Number(process.env.BENCH_ROWS ?? 1_000_000);
const days = 180;
const dashboardIndex = "Signature_appealId_status_confirmedAt_country_idx";

/** `count` signatures of one appeal in one statement, confirmed evenly over the last `days` days. */
async function insertSignatures(client: pg.Client, appealId: string, count: number, status: string, prefix: string) {
  await client.query(
    `INSERT INTO "Signature" ("id", "appealId", "fullName", "email", "emailCanonical", "role", "country", "showPublicly", "status", "createdAt", "confirmedAt")
     SELECT gen_random_uuid(), $1::uuid, 'Signer ' || n, $4 || n || '@example.org', $4 || n || '@example.org',
       CASE WHEN n % 3 = 0 THEN NULL ELSE 'teacher' END,
       CASE WHEN n % 11 = 0 THEN NULL ELSE (ARRAY['GB', 'KZ', 'DE', 'UA', 'FR', 'PL', 'US', 'IT', 'ES', 'NL', 'SE', 'NO'])[1 + (n * 7) % 12] END,
       n % 2 = 0, $3::"SignatureStatus",
       now() - ($5 * interval '1 day') * (1 - n::float8 / $2),
       CASE WHEN $3 = 'PENDING' THEN NULL ELSE now() - ($5 * interval '1 day') * (1 - n::float8 / $2) END
     FROM generate_series(1, $2::int) AS n`,
    [appealId, count, status, prefix, days],
  );
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function explainEach(client: pg.Client, appealId: string, life: { startedAt: Date; closedAt: Date | null }) {
  const now = new Date();
  const queries = {
    "per hour, last 48 h": dashboardQueries.perHour(appealId, now),
    "per day, whole life": dashboardQueries.perDay(appealId, life, now),
    "top countries": dashboardQueries.topCountries(appealId),
    "latest signers": dashboardQueries.latestSigners(appealId),
  };
  for (const [label, query] of Object.entries(queries)) {
    await client.query(query.text, query.values); // warm the cache
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
    const plan = rows.map((row) => row["QUERY PLAN"]);
    const execution = plan.find((line) => line.startsWith("Execution Time"));
    // The nodes that read signatures, with the time they took.
    const scans = plan
      .filter((line) => /(Seq|Index|Index Only|Bitmap Heap) Scan/.test(line) && !/(CTE|Function|Subquery) Scan/.test(line))
      .map((line) => line.trim().replace(/^->\s*/, "").replace(/\s+\(cost=[^)]*\)\s*\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+).*$/, " — $2 rows, $1 ms"));
    console.log(`  ${label.padEnd(22)} ${execution?.replace("Execution Time: ", "") ?? "?"}`);
    for (const scan of scans) console.log(`      ${scan}`);
  }
}

async function timeDashboard(db: Awaited<ReturnType<typeof createTestDatabase>>["db"], appealId: string) {
  const runs: number[] = [];
  for (let run = 0; run < 6; run++) {
    const started = performance.now();
    await getAppealDashboard(db, appealId);
    if (run > 0) runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  console.log(`  whole dashboard (5 warm runs, through Prisma): median ${ms(runs[2]!)}, max ${ms(runs[4]!)}`);
}

async function main() {
  const database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const appeal = await createAppeal(database.db, { ...demoAppeal, slug: "bench-dashboard", status: "PUBLISHED", publishedAt: new Date(Date.now() - days * 86_400_000) });
    const other = await createAppeal(database.db, { ...demoAppeal, slug: "bench-other", status: "PUBLISHED", publishedAt: new Date() });
    let started = performance.now();
    await insertSignatures(client, appeal.id, rowCount, "CONFIRMED", "c");
    await insertSignatures(client, appeal.id, Math.round(rowCount / 20), "PENDING", "p");
    await insertSignatures(client, appeal.id, Math.round(rowCount / 50), "WITHDRAWN", "w");
    await insertSignatures(client, other.id, Math.round(rowCount / 5), "CONFIRMED", "o");
    // The shards as confirmations would have left them.
    await client.query(`INSERT INTO "SignatureCountShard" ("appealId", shard, confirmed, listed) VALUES ($1, 0, $2, $3)`, [appeal.id, rowCount, Math.floor(rowCount / 2)]);
    console.log(`${rowCount.toLocaleString("en")} confirmed signatures over ${days} days (+ pending, withdrawn, another appeal) in ${ms(performance.now() - started)}`);
    started = performance.now();
    await client.query(`VACUUM ANALYZE "Signature"`);
    console.log(`VACUUM ANALYZE in ${ms(performance.now() - started)}\n`);
    const life = { startedAt: new Date(Date.now() - days * 86_400_000), closedAt: null };

    console.log("With the dashboard index:");
    await explainEach(client, appeal.id, life);
    await timeDashboard(database.db, appeal.id);

    // Here the appeal holds most of the table, so the planner reads the whole table for the
    // day and country counts; where it is a small share of many appeals' signatures it reads the
    // index instead. What that costs:
    console.log("\nWith the index, sequential scans off (as where this appeal is a small share of the table):");
    await client.query("SET enable_seqscan = off");
    await explainEach(client, appeal.id, life);
    await client.query("RESET enable_seqscan");

    await client.query(`DROP INDEX IF EXISTS "${dashboardIndex}"`);
    console.log("\nWithout it (the indexes the public list and moderation use):");
    await explainEach(client, appeal.id, life);
    await timeDashboard(database.db, appeal.id);
  } finally {
    await client.end();
    await database.drop();
  }
}

await main();
