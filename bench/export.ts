/**
 * How fast, and in how much memory, the built web process streams a big export over HTTP, beside
 * Postgres's own `COPY … TO STDOUT (FORMAT csv)` of the same rows as the baseline. Prints
 * figures; never fails on timing. Needs a build (`npm run build`) and, for the baseline, `psql`.
 *
 *   npm run bench:export
 *   BENCH_ROWS=200000 BENCH_DATABASE_URL=postgres://… npm run bench:export
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import pg from "pg";
import { createAppeal } from "~/domain/appeals";
import { demoAppeal } from "~/domain/demo-appeal";
import { exportRowsQuery, openSignatureExport } from "~/domain/exports.server";
import { startSession } from "~/domain/organizer-sessions";
import { createDatabaseClient } from "~/infra/db.server";
import { applyMigrations } from "~/infra/migrations.server";
import { sessionCookieName } from "~/infra/session-cookie.server";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";
import { openBenchPool } from "./support/database";
import { insertConfirmedSignatures } from "../tests/support/bulk-signatures";
import { productionNodeArgs, requireBuild, type Started } from "../tests/support/processes";
import { startBenchApp } from "./support/app";

const rowCount = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** More arguments to node for the web process, after those of `npm run serve` (e.g. "--max-semi-space-size=16" to compare). */
const appNodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
const allRows = { listedOnly: false, from: null, to: null, bom: false };

/** Bytes and CSV records (line feeds outside quotes; UTF-8 never hides a quote or LF in a multibyte letter). */
function csvCounter() {
  let quoted = false;
  let lineFeeds = 0;
  let bytes = 0;
  return {
    add(chunk: Buffer) {
      bytes += chunk.length;
      for (let index = 0; index < chunk.length; index++) {
        const byte = chunk[index];
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0a && !quoted) lineFeeds++;
      }
    },
    result: () => ({ bytes, rows: lineFeeds - 1 }),
  };
}

type Run = { seconds: number; firstByteSeconds: number; bytes: number; rows: number; wireBytes?: number };

async function countStream(stream: Readable, onFirstByte: () => void): Promise<{ bytes: number; rows: number }> {
  const counter = csvCounter();
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (first) onFirstByte();
    first = false;
    counter.add(chunk);
  }
  return counter.result();
}

function httpDownload(url: string, cookie: string, encoding: "identity" | "gzip"): Promise<Run> {
  const started = performance.now();
  let firstByte = 0;
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie, "accept-encoding": encoding } }, (response) => {
        if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode} for ${url}`));
        let wireBytes = 0;
        response.on("data", (chunk: Buffer) => (wireBytes += chunk.length));
        const body = response.headers["content-encoding"] === "gzip" ? response.pipe(createGunzip()) : response;
        countStream(body, () => (firstByte ||= performance.now())).then(
          (counted) => resolve({ ...counted, wireBytes, seconds: (performance.now() - started) / 1000, firstByteSeconds: (firstByte - started) / 1000 }),
          reject,
        );
      })
      .on("error", reject);
  });
}

function copyWithPsql(databaseUrl: string, sql: string): Promise<Run | string> {
  const started = performance.now();
  let firstByte = 0;
  return new Promise((resolve) => {
    const psql = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", databaseUrl, "-c", `COPY (${sql}) TO STDOUT (FORMAT csv, HEADER)`], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    psql.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    psql.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? "psql is not installed here" : error.message));
    countStream(psql.stdout, () => (firstByte ||= performance.now())).then((counted) =>
      psql.once("close", (code) =>
        resolve(code === 0 ? { ...counted, seconds: (performance.now() - started) / 1000, firstByteSeconds: (firstByte - started) / 1000 } : `psql failed: ${stderr.trim()}`),
      ),
    );
  });
}

/** Resident memory now and its high-water mark, of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** Resets VmHWM so it measures from now on (Linux: write 5 to clear_refs); false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const int = (value: number) => Math.round(value).toLocaleString("en");

function line(label: string, run: Run | string, baseline?: Run | string) {
  if (typeof run === "string") return console.log(`  ${label.padEnd(40)} ${run}`);
  const relative = baseline && typeof baseline !== "string" && baseline !== run ? `  (${(run.seconds / baseline.seconds).toFixed(1)}× COPY)` : "";
  const wire = run.wireBytes !== undefined && run.wireBytes !== run.bytes ? `, ${mb(run.wireBytes)} on the wire` : "";
  console.log(
    `  ${label.padEnd(40)} ${run.seconds.toFixed(2).padStart(6)} s  ${int(run.rows / run.seconds).padStart(9)} rows/s  ${(run.bytes / 1e6 / run.seconds).toFixed(1).padStart(6)} MB/s  first byte ${(run.firstByteSeconds * 1000).toFixed(0)} ms  ${int(run.rows)} rows, ${mb(run.bytes)}${wire}${relative}`,
  );
}

async function main() {
  requireBuild();
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), "undersign-bench-postgres"), database: "postgres" });
  const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? embedded!.url);
  const name = `undersign_bench_export_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDatabaseClient(databaseUrl, { maxConnections: 2 });
  const pool = openBenchPool(databaseUrl, 1);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-bench-export-"));
  let app: Started | null = null;

  try {
    await applyMigrations(databaseUrl);
    const version = (await pool.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    console.log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${mb(os.totalmem())} memory, Node ${process.version}, ` +
        `PostgreSQL ${version} (${embedded ? "embedded" : serverUrl.host}); ${int(rowCount)} confirmed signatures`,
    );

    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-export" });
    let started = performance.now();
    await insertConfirmedSignatures(pool, appeal.id, rowCount);
    await pool.query(`VACUUM ANALYZE "Signature"`);
    console.log(`Inserted with generate_series and vacuumed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const query = exportRowsQuery(appeal.id, allRows);
    // COPY takes no parameters: the only one is the appeal's id, a uuid we made.
    const literalSql = query.text.replace("$1::uuid", `'${appeal.id}'::uuid`);
    const plan = (await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN ${literalSql}`)).rows.map((row) => row["QUERY PLAN"].trim());
    console.log(`Plan (without a cursor): ${plan.slice(0, 3).join(" → ")}`);

    const running = await startBenchApp({ databaseUrl, dataDir, nodeArgs: appNodeArgs, publicHost: "localhost" });
    app = running.app;
    const port = running.port;
    const pid = app.child.pid!;
    const organizer = await db.organizer.create({ data: { email: "bench@organizers.example", emailCanonical: "bench@organizers.example", name: "Bench", role: "EDITOR" } });
    const { token } = await startSession(db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
    const cookie = `${sessionCookieName({ secure: true })}=${token}`;
    const fileUrl = `http://localhost:${port}/organize/appeals/${appeal.id}/export.csv`;

    // Warm the app's code paths and the table's pages alike for every contender.
    await pool.query(`SELECT count(*) FROM "Signature"`);
    const warm = await createAppeal(db, { ...demoAppeal, slug: "bench-export-warm" });
    await insertConfirmedSignatures(pool, warm.id, 1_000);
    await httpDownload(`http://localhost:${port}/organize/appeals/${warm.id}/export.csv`, cookie, "identity");

    const before = memoryOf(pid);
    const peakWasReset = resetPeak(pid);
    let sampledPeak = before.rss;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(pid).rss)), 50);
    const overHttp = await httpDownload(fileUrl, cookie, "identity");
    const overHttpGzip = await httpDownload(fileUrl, cookie, "gzip");
    clearInterval(sampler);
    const after = memoryOf(pid);
    sampledPeak = Math.max(sampledPeak, after.rss);

    started = performance.now();
    let firstByte = 0;
    const counter = csvCounter();
    const inProcess = openSignatureExport({ pool, db }, { appeal, format: "csv", choices: allRows, actor: { system: "command line" } });
    for await (const chunk of inProcess.chunks) {
      firstByte ||= performance.now();
      counter.add(Buffer.from(chunk));
    }
    const inProcessRun: Run = { ...counter.result(), seconds: (performance.now() - started) / 1000, firstByteSeconds: (firstByte - started) / 1000 };

    const copy = await copyWithPsql(databaseUrl, literalSql);

    console.log("\nThe same rows and columns, all confirmed signatures of one appeal:");
    line("COPY … TO STDOUT (FORMAT csv) via psql", copy);
    line("HTTP GET export.csv (identity)", overHttp, copy);
    line("HTTP GET export.csv (gzip, as browsers)", overHttpGzip, copy);
    line("export in this process, no HTTP", inProcessRun, copy);
    console.log(
      `\nWeb process ("node ${[...productionNodeArgs("serve"), ...appNodeArgs].join(" ")} build/server.js") memory: RSS ${mb(before.rss)} before the downloads (peak since start ${mb(before.peak)}); ` +
        `during both downloads peak RSS ${mb(peakWasReset ? after.peak : sampledPeak)} (${peakWasReset ? "VmHWM, reset before" : "sampled every 50 ms"}), ` +
        `growth ${mb((peakWasReset ? after.peak : sampledPeak) - before.rss)}; RSS ${mb(after.rss)} after.`,
    );
  } finally {
    await app?.stop();
    await pool.end();
    await db.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
