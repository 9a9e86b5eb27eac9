/**
 * How the built web process takes a stream of random and hostile requests (the fuzz test's
 * generator, tests/support/hostile-bodies.ts, at ten times its size): answers per status code and
 * per route, requests per second and latency, beside two baselines measured in the same run —
 * the same number of GET /healthz from the same app, and the same hostile requests to a bare
 * Node http server that reads each body and answers 200. Prints figures; never fails on timing.
 * Needs a build (`npm run build`).
 *
 *   npm run bench:hostile
 *   BENCH_REQUESTS=20000 BENCH_CONCURRENCY=16 BENCH_DATABASE_URL=postgres://… npm run bench:hostile
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { solveChallenge, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import pg from "pg";
import { createDatabaseClient } from "~/infra/db.server";
import { createLogger } from "~/infra/logger.server";
import { applyMigrations } from "~/infra/migrations.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";
import { hostileRequests, prepareHostileTargets, sendHostileRequests, type Answer, type HostileRequest } from "../tests/support/hostile-bodies";
import { freePort, requireBuild, startProcess, type Started } from "../tests/support/processes";
import { startBenchApp } from "./support/app";

const requestCount = Number(process.env.BENCH_REQUESTS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const seed = 20260504;

const int = (value: number) => Math.round(value).toLocaleString("en");
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

type Run = { answers: Answer[]; seconds: number };

async function timed(baseUrl: string, requests: readonly HostileRequest[]): Promise<Run> {
  const started = performance.now();
  const answers = await sendHostileRequests(baseUrl, requests, { concurrency, timeoutMs: 30_000 });
  return { answers, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function line(label: string, run: Run, baseline?: Run) {
  const ms = run.answers.map((answer) => answer.ms).sort((a, b) => a - b);
  const rate = run.answers.length / run.seconds;
  const relative = baseline ? `  (${(rate / (baseline.answers.length / baseline.seconds)).toFixed(2)}× the first)` : "";
  console.log(
    `  ${label.padEnd(52)} ${int(run.answers.length).padStart(6)} in ${run.seconds.toFixed(1).padStart(5)} s  ${int(rate).padStart(6)} req/s  ` +
      `p50 ${percentile(ms, 50).toFixed(1)} ms  p95 ${percentile(ms, 95).toFixed(1)} ms  p99 ${percentile(ms, 99).toFixed(1)} ms  max ${(ms[ms.length - 1] ?? 0).toFixed(0)} ms${relative}`,
  );
}

function statusOf(answer: Answer): string {
  return answer.status === null ? "no answer" : String(answer.status);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** Resident memory of a process now and its high-water mark (Linux), in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return null;
  }
}

/** A Node http server that reads each request's body to its end and answers 200: the floor under any app. */
const bareServer = `
  const server = require("node:http").createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => res.writeHead(200, { "Content-Type": "text/plain" }).end("ok"));
  });
  server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("bare server listening"));
`;

async function main() {
  requireBuild();
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), "undersign-bench-postgres"), database: "postgres" });
  const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? embedded!.url);
  const name = `undersign_bench_hostile_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDatabaseClient(databaseUrl, { maxConnections: 2 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-bench-hostile-"));
  const secret = randomBytes(32).toString("hex");
  let app: Started | null = null;
  let bare: Started | null = null;

  try {
    await applyMigrations(databaseUrl);
    await prepareQueue(databaseUrl, createLogger("warn"));
    const version = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    console.log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${mb(os.totalmem())} memory, Node ${process.version}, ` +
        `PostgreSQL ${version} (${embedded ? "embedded" : serverUrl.host}); ${int(requestCount)} requests, ${concurrency} at a time, seed ${seed}`,
    );

    const running = await startBenchApp({ databaseUrl, dataDir, env: { SESSION_SECRET: secret, SIGN_MIN_FILL_SECONDS: "0" } });
    app = running.app;
    const baseUrl = running.baseUrl;

    const challenge = (await (await fetch(`${baseUrl}/proof-of-work/challenge`)).json()) as Challenge;
    const solvable = (await (await fetch(`${baseUrl}/proof-of-work/challenge`)).json()) as Challenge;
    const solution = await solveChallenge({ challenge: solvable, deriveKey });
    const targets = {
      ...(await prepareHostileTargets(db, secret)),
      challenge,
      solvedProofOfWork: solution ? Buffer.from(JSON.stringify({ challenge: solvable, solution })).toString("base64") : null,
    };
    const started = performance.now();
    const requests = hostileRequests(targets, { count: requestCount, seed });
    const bytes = requests.reduce((sum, request) => sum + (request.body?.length ?? 0), 0);
    console.log(`Generated ${int(requests.length)} requests (${mb(bytes)} of bodies) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Warm the app's code paths and connections for every contender alike.
    const healthz: HostileRequest[] = Array.from({ length: requestCount }, () => ({ route: "GET /healthz", method: "GET", path: "/healthz", headers: {}, what: "baseline" }));
    await timed(baseUrl, healthz.slice(0, 200));
    await timed(baseUrl, requests.filter((request) => request.route.startsWith("GET")).slice(0, 100));

    const before = await memoryOf(app.child.pid!);
    const healthzRun = await timed(baseUrl, healthz);
    const hostileRun = await timed(baseUrl, requests);
    const after = await memoryOf(app.child.pid!);

    const barePort = await freePort();
    bare = startProcess("node", ["-e", bareServer], { env: { PORT: String(barePort) } });
    await bare.waitForOutput(/bare server listening/);
    await timed(`http://127.0.0.1:${barePort}`, requests.slice(0, 200));
    const bareRun = await timed(`http://127.0.0.1:${barePort}`, requests);

    console.log("\nThroughput and latency (each request timed from sending to the last byte of the answer):");
    line("GET /healthz on the app (one database round trip)", healthzRun);
    line("the hostile requests to the app", hostileRun, healthzRun);
    line("the same requests to a bare Node server (reads, 200)", bareRun, healthzRun);

    const answers = hostileRun.answers;
    console.log(`\nAnswers by status: ${countBy(answers, statusOf).map(([status, count]) => `${status} ${int(count)}`).join(", ")}`);
    console.log("\nBy route (requests, latency, answers):");
    const byRoute = new Map<string, Answer[]>();
    for (const answer of answers) byRoute.set(answer.request.route, [...(byRoute.get(answer.request.route) ?? []), answer]);
    for (const [route, routeAnswers] of [...byRoute].sort(([, a], [, b]) => b.length - a.length)) {
      const ms = routeAnswers.map((answer) => answer.ms).sort((a, b) => a - b);
      console.log(
        `  ${route.padEnd(62)} ${int(routeAnswers.length).padStart(5)}  p50 ${percentile(ms, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(ms, 99).toFixed(1).padStart(7)} ms  ` +
          countBy(routeAnswers, statusOf)
            .map(([status, count]) => `${count}× ${status}`)
            .join(", "),
      );
    }
    const serverErrors = answers.filter((answer) => answer.status === null || answer.status >= 500);
    console.log(`\n5xx or no answer: ${serverErrors.length}${serverErrors.length ? " (run tests/hostile-requests.test.ts for the requests)" : ""}`);
    if (before && after) {
      console.log(`Web process memory: RSS ${mb(before.rss)} before the hostile run, ${mb(after.rss)} after; peak since start ${mb(after.peak)}.`);
    }
  } finally {
    await bare?.stop();
    await app?.stop();
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
