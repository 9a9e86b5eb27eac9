/**
 * The public hot paths of the built web process under load, over HTTP, beside baselines measured
 * in the same run (issue "Spikes, faults and a lean production core"):
 *
 *   - a bare Node HTTP server answering GET with 200, 50 connections: the load generator's own ceiling;
 *   - sign POST (a distinct email each), 32 connections, and the thanks page its 303 leads to (a
 *     browser's whole wait, timed as one request); then checks that every 303 left one
 *     signature row and every pending signature has exactly one outbox job ("nothing lost");
 *   - the same database work driven directly with `pg` (signature insert + graphile_worker.add_job,
 *     one transaction each), 16 connections: sign should reach ≥ 0.35× this;
 *   - confirm POST (each emailed link pressed once), 32 connections, and the confirmed page its
 *     303 leads to, timed as one; then checks the sharded count against the confirmations;
 *   - the appeal page GET, 50 connections.
 *
 * Each figure is printed beside its target, with CPU use of the web process, Postgres and this
 * process, and samples of what Postgres's backends wait on. Prints figures; never fails on timing.
 * Needs a build (`npm run build`). The load generator is bench/support/load.ts (undici, keep-alive,
 * one request in flight per connection).
 *
 *   npx tsx bench/http.ts
 *   BENCH_SECONDS=20 BENCH_DATABASE_URL=postgres://… npx tsx bench/http.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createAppeal } from "~/domain/appeals";
import { consentTextVersion, privacyNoticeVersion } from "~/domain/consent";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { demoAppeal } from "~/domain/demo-appeal";
import { issueFormToken } from "~/domain/form-timing.server";
import { createToken } from "~/domain/tokens";
import { createDatabaseClient } from "~/infra/db.server";
import { createLogger } from "~/infra/logger.server";
import { applyMigrations } from "~/infra/migrations.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";
import { freePort, productionNodeArgs, requireBuild, startProcess, type Started } from "../tests/support/processes";
import { startBenchApp } from "./support/app";
import { openBenchPool } from "./support/database";
import { percentile, rate, runLoad, runWork, type LoadRequest, type LoadResult } from "./support/load";
import { describeCpu, describeWaits, startCpuProbe, startWaitSampler, type CpuShares, type WaitSample } from "./support/probe";

const phaseSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/** Confirmation links made beyond the signatures of the sign phase, so confirming is limited by time, not by links. */
const confirmTokens = Number(process.env.BENCH_CONFIRM_TOKENS ?? phaseSeconds * 4000);

/** Extra arguments to node for the web process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes. */
const appNodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);

/**
 * Web processes (WEB_PROCESSES: a number, or "auto" for one per core) and the page cache's
 * lifetime. One by default, as the app runs: on two cores shared with Postgres, one web process
 * signs faster than two (each of two gathers smaller batches, and they compete with Postgres for
 * the cores; docs/benchmarks.md has both), while the page is fast enough either way.
 */
const webProcesses = process.env.BENCH_WEB_PROCESSES ?? "1";
const pageCacheSeconds = process.env.BENCH_PAGE_CACHE_SECONDS ?? "1";

/** Signing limits high enough never to hold a signature in the benchmark, but counted all the same. */
const generousLimit = "1000000000";
/**
 * A distinct network address for each of 16 million signers (10.0.0.0/8), as a proxy forwards it;
 * or, with BENCH_ONE_ADDRESS=1, one address for all (an office, a campus, a mobile network behind
 * one NAT), so every submission shares its address's signing-limit counters.
 */
const oneAddress = process.env.BENCH_ONE_ADDRESS === "1";
const addressOfSigner = (index: number) => (oneAddress ? "10.0.0.1" : `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);

const connections = { bare: 50, sign: 32, direct: 16, confirm: 32, page: 50 };
const targets = { signRate: 1000, signP99: 200, directRatio: 0.35, pageRate: 2000, pageP99: 100, confirmRate: 1000 };

const int = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** What a browser sends with a page request and with a form post from this site. */
const browserHeaders = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-language": "en",
  "accept-encoding": "gzip, deflate, br",
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) undersign-bench/1",
};
const formHeaders = { ...browserHeaders, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate" };

const bareServer = `
  const server = require("node:http").createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => res.writeHead(200, { "Content-Type": "text/plain" }).end("ok"));
  });
  server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("bare server listening"));
`;

function statusLine(result: LoadResult): string {
  return [...result.statuses]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${int(n)}× ${status}`)
    .join(", ");
}

function phaseLine(label: string, result: LoadResult, ok: (status: string) => boolean): string {
  const l = result.latencies;
  return (
    `  ${label.padEnd(46)} ${int(result.requests).padStart(7)} in ${result.seconds.toFixed(1).padStart(4)} s  ${int(rate(result, ok)).padStart(6)}/s ok  ` +
    `p50 ${ms(percentile(l, 50))}  p95 ${ms(percentile(l, 95))}  p99 ${ms(percentile(l, 99))}  max ${ms(l[l.length - 1] ?? 0)}  [${statusLine(result)}]` +
    (result.exhausted ? "  (requests ran out before the time)" : "")
  );
}

function failures(result: LoadResult, ok: (status: string) => boolean): { errors: number; serverErrors: number } {
  let errors = 0;
  let serverErrors = 0;
  for (const [status, n] of result.statuses) {
    if (ok(status)) continue;
    errors += n;
    if (status.startsWith("5") || status.startsWith("error")) serverErrors += n;
  }
  return { errors, serverErrors };
}

type Probed = { result: LoadResult; cpu: CpuShares; waits: WaitSample | null };

async function main() {
  requireBuild();
  const benchStarted = performance.now();
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), "undersign-bench-postgres"), database: "postgres" });
  const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? embedded!.url);
  const name = `undersign_bench_http_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDatabaseClient(databaseUrl, { maxConnections: 4 });
  const sampler = new pg.Client({ connectionString: databaseUrl });
  const direct = openBenchPool(databaseUrl, connections.direct);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-bench-http-"));
  const secret = randomBytes(32).toString("hex");
  const cores = os.cpus().length;
  let app: Started | null = null;
  let bare: Started | null = null;

  try {
    await applyMigrations(databaseUrl);
    await prepareQueue(databaseUrl, createLogger("warn"));
    await sampler.connect();
    const setting = async (key: string) => (await admin.query<Record<string, string>>(`SHOW ${key}`)).rows[0]![key]!;
    const facts = {
      machine: `${cores} cores (${os.cpus()[0]?.model.trim()}), ${mb(os.totalmem())} memory, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} at start`,
      node: process.version,
      postgres: `PostgreSQL ${await setting("server_version")} (${embedded ? "embedded, on the same cores" : serverUrl.host}); fsync ${await setting("fsync")}, synchronous_commit ${await setting("synchronous_commit")}, shared_buffers ${await setting("shared_buffers")}, max_connections ${await setting("max_connections")}`,
    };
    console.log(`Machine: ${facts.machine}\nNode ${facts.node}\n${facts.postgres}`);
    console.log(`Phases of ${phaseSeconds} s (BENCH_SECONDS), each after ${warmupSeconds} s of warm-up; web processes "node ${[...productionNodeArgs("serve"), ...appNodeArgs].join(" ")} build/server.js" (as npm run serve) with NODE_ENV=production, WEB_PROCESSES=${webProcesses} (BENCH_WEB_PROCESSES), PAGE_CACHE_SECONDS=${pageCacheSeconds} (BENCH_PAGE_CACHE_SECONDS), LOG_LEVEL=warn, RUN_WORKER=false, signing limits generous (counted, never reached; ${oneAddress ? "every signer from one address (BENCH_ONE_ADDRESS)" : "each signer from its own address"} via X-Forwarded-For), the default pool of 10 database connections per process.`);

    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-http", proofOfWork: "OFF" });
    const warmAppeal = await createAppeal(db, { ...demoAppeal, slug: "bench-http-warm", proofOfWork: "OFF" });
    const directAppeal = await createAppeal(db, { ...demoAppeal, slug: "bench-http-direct", proofOfWork: "OFF" });

    const running = await startBenchApp({
      databaseUrl,
      dataDir,
      nodeArgs: appNodeArgs,
      env: {
        SESSION_SECRET: secret,
        // The limits' code path runs (the issue allows generous limits, not none), and each
        // signer comes from an address of its own, as a spike does, through a trusted proxy.
        SIGN_LIMIT_PER_IP_MINUTE: generousLimit,
        SIGN_LIMIT_PER_IP_HOUR: generousLimit,
        SIGN_LIMIT_PER_IP_SITE_HOUR: generousLimit,
        SIGN_LIMIT_PER_EMAIL_HOUR: generousLimit,
        TRUST_PROXY: "loopback",
        SIGN_MIN_FILL_SECONDS: "0",
        WEB_PROCESSES: webProcesses,
        PAGE_CACHE_SECONDS: pageCacheSeconds,
      },
    });
    app = running.app;
    const baseUrl = running.baseUrl;
    const pids = { app: app.child.pid!, postmaster: embedded?.postmasterPid ?? null };

    /** Runs one load phase with the CPU probe and (for the app) the wait sampler around it. */
    const probed = async (run: () => Promise<LoadResult>, probe: { pid: number; postgres: boolean; label: string }): Promise<Probed> => {
      // Monotonic µs, the clock of a V8 CPU profile's timestamps: to cut a profile of the web process by phase.
      const from = process.hrtime.bigint() / 1000n;
      const stopCpu = startCpuProbe({ app: probe.pid, postmaster: probe.postgres ? pids.postmaster : null }, cores);
      const stopWaits = probe.postgres ? startWaitSampler(sampler, 200) : null;
      const result = await run();
      const cpu = stopCpu();
      if (appNodeArgs.length > 0) console.log(`  [profile mark] ${probe.label} ${from} ${process.hrtime.bigint() / 1000n}`);
      return { result, cpu, waits: stopWaits ? await stopWaits() : null };
    };
    const report = (label: string, phase: Probed, ok: (status: string) => boolean) => {
      console.log(phaseLine(label, phase.result, ok));
      console.log(`    ${describeCpu(phase.cpu, phase.result.requests)}`);
      if (phase.waits) for (const line of describeWaits(phase.waits)) console.log(`  ${line}`);
    };

    // 1. The load generator's ceiling: a bare Node server on the same machine.
    const barePort = await freePort();
    bare = startProcess("node", ["-e", bareServer], { env: { PORT: String(barePort) } });
    await bare.waitForOutput(/bare server listening/);
    const bareRequest = (): LoadRequest => ({ method: "GET", path: "/", headers: browserHeaders });
    await runLoad({ origin: `http://127.0.0.1:${barePort}`, connections: connections.bare, seconds: warmupSeconds, request: bareRequest });
    const barePhase = await probed(() => runLoad({ origin: `http://127.0.0.1:${barePort}`, connections: connections.bare, seconds: phaseSeconds, request: bareRequest }), { pid: bare.child.pid!, postgres: false, label: "bare" });
    await bare.stop();
    bare = null;
    const isOk = (status: string) => status === "200";
    /** A press answered by a redirect to a page, and that page. */
    const isRedirectToPage = (status: string) => status === "303→200";
    console.log("\nThroughput and latency (each request timed from sending to the last byte of the answer):");
    report(`bare Node server GET, ${connections.bare} connections`, barePhase, isOk);

    // 2. Sign: a distinct email each, as a browser posts the form.
    const signRequest = (slug: string, prefix: string) => (index: number): LoadRequest => {
      const body = new URLSearchParams({
        fullName: `Bench Signer ${index}`,
        email: `${prefix}${index}@bench.example`,
        acceptPrivacy: "on",
        ...(index % 2 ? { showPublicly: "on" } : {}),
        formIssuedAt: issueFormToken(secret, Date.now() - 10_000),
      }).toString();
      const from = { "x-forwarded-for": addressOfSigner(index) };
      return { method: "POST", path: `/appeals/${slug}?index`, headers: { ...formHeaders, ...from }, body, followWith: { ...browserHeaders, ...from } };
    };
    const pageRequest = (): LoadRequest => ({ method: "GET", path: `/appeals/${appeal.slug}`, headers: browserHeaders });
    // Warm the code paths and the app's connection pool (the page too, which the sign phase does not touch).
    await runLoad({ origin: baseUrl, connections: connections.page, seconds: warmupSeconds, request: pageRequest });
    await runLoad({ origin: baseUrl, connections: connections.sign, seconds: warmupSeconds, request: signRequest(warmAppeal.slug, "w") });
    const signPhase = await probed(() => runLoad({ origin: baseUrl, connections: connections.sign, seconds: phaseSeconds, request: signRequest(appeal.slug, "s") }), { pid: pids.app, postgres: true, label: "sign" });
    report(`sign POST + thanks page, ${connections.sign} connections`, signPhase, isRedirectToPage);

    // Nothing lost: a row for every 303, one outbox job for every pending signature.
    const answered303 = [...signPhase.result.statuses].reduce((sum, [status, n]) => (status.startsWith("303") ? sum + n : sum), 0);
    const { rows: byStatus } = await direct.query<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM "Signature" WHERE "appealId" = $1 GROUP BY 1`, [appeal.id]);
    const rowCount = byStatus.reduce((sum, row) => sum + row.n, 0);
    const { rows: jobRows } = await direct.query<{ none: number; one: number; more: number }>(
      `WITH jobs AS (
         SELECT j.payload->>'signatureId' AS id, count(*) AS n
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE t.identifier = 'send_signature_email' GROUP BY 1)
       SELECT count(*) FILTER (WHERE jobs.n IS NULL)::int AS none, count(*) FILTER (WHERE jobs.n = 1)::int AS one, count(*) FILTER (WHERE jobs.n > 1)::int AS more
       FROM "Signature" s LEFT JOIN jobs ON jobs.id = s.id::text
       WHERE s."appealId" = $1 AND s.status = 'PENDING'`,
      [appeal.id],
    );
    const jobs = jobRows[0]!;
    const pendingRows = byStatus.find((row) => row.status === "PENDING")?.n ?? 0;
    const signLost = rowCount !== answered303 || jobs.none > 0 || jobs.more > 0 || pendingRows !== rowCount;
    const signCheck = signLost
      ? `DISCREPANCY: ${int(answered303)} answers 303, ${int(rowCount)} signature rows (${byStatus.map((row) => `${row.n} ${row.status}`).join(", ")}); pending signatures with no job ${jobs.none}, with one ${jobs.one}, with more than one ${jobs.more}`
      : `nothing lost: ${int(answered303)} answers 303 = ${int(rowCount)} pending signature rows, each with exactly one outbox job`;
    console.log(`    ${signCheck}`);

    // 3. The same database work straight from pg: insert the signature as signAppeal does, add its job, commit.
    const insertSignature = `
      INSERT INTO "Signature" (id, "appealId", "emailCanonical", "fullName", email, role, country, city, comment, "showPublicly", "wantsUpdates",
                               locale, "networkAddress", "userAgent", "privacyNoticeVersion", "consentTextVersion", "consentedAt", "emailsSent")
      VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, NULL, $6, false, 'en', $7, $8, $9, $10, $11, 1)
      ON CONFLICT DO NOTHING RETURNING id`;
    const directWork = (prefix: string) => async (index: number) => {
      const client = await direct.connect();
      try {
        await client.query("BEGIN");
        const email = `${prefix}${index}@bench.example`;
        const { rows } = await client.query<{ id: string }>(insertSignature, [
          randomUUID(), directAppeal.id, email, `Bench Signer ${index}`, email, index % 2 === 1, "127.0.0.1", browserHeaders["user-agent"], privacyNoticeVersion, consentTextVersion, new Date(),
        ]);
        if (rows[0]) {
          await client.query(`SELECT graphile_worker.add_job($1::text, $2::json, max_attempts => $3::int)`, ["send_signature_email", JSON.stringify({ signatureId: rows[0].id, kind: "confirm-signature" }), 12]);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    };
    await runWork({ workers: connections.direct, seconds: warmupSeconds, work: directWork("dw") });
    const directPhase = await probed(() => runWork({ workers: connections.direct, seconds: phaseSeconds, work: directWork("d") }), { pid: process.pid, postgres: true, label: "direct" });
    const isDone = (status: string) => status === "ok";
    console.log(phaseLine(`same DB work via pg, ${connections.direct} connections`, directPhase.result, isDone));
    console.log(`    ${describeCpu(directPhase.cpu, directPhase.result.requests)}`);
    for (const line of describeWaits(directPhase.waits!)) console.log(`  ${line}`);

    // 4. Confirm: a link for every pending signature, made as the worker makes them (only the hash stored).
    const topUp = Math.max(0, confirmTokens - pendingRows);
    await direct.query(
      `INSERT INTO "Signature" (id, "appealId", "fullName", email, "emailCanonical", "showPublicly", "emailsSent")
       SELECT gen_random_uuid(), $1, 'Bench Signer x' || g, 'x' || g || '@bench.example', 'x' || g || '@bench.example', g % 2 = 0, 1
       FROM generate_series(1, $2::int) g`,
      [appeal.id, topUp],
    );
    const makeLinks = async (appealId: string): Promise<string[]> => {
      const { rows } = await direct.query<{ id: string }>(`SELECT id FROM "Signature" WHERE "appealId" = $1 AND status = 'PENDING' ORDER BY "createdAt", id`, [appealId]);
      const links = rows.map(({ id }) => ({ id, ...createToken() }));
      for (let start = 0; start < links.length; start += 10_000) {
        const chunk = links.slice(start, start + 10_000);
        await direct.query(
          `INSERT INTO "SignatureToken" ("tokenHash", "signatureId", purpose, "expiresAt")
           SELECT decode(h, 'hex'), s, 'CONFIRM', $3 FROM unnest($1::text[], $2::uuid[]) AS u(h, s)`,
          [chunk.map((link) => Buffer.from(link.tokenHash).toString("hex")), chunk.map((link) => link.id), new Date(Date.now() + 3_600_000)],
        );
      }
      return links.map((link) => link.token);
    };
    const warmLinks = await makeLinks(warmAppeal.id);
    const links = await makeLinks(appeal.id);
    await direct.query(`VACUUM ANALYZE "Signature"`);
    await direct.query(`VACUUM ANALYZE "SignatureToken"`);
    const confirmRequest = (tokens: string[]) => (index: number): LoadRequest | null => {
      const token = tokens[index];
      return token === undefined ? null : { method: "POST", path: `/confirm/${token}`, headers: formHeaders, body: "", followWith: browserHeaders };
    };
    await runLoad({ origin: baseUrl, connections: connections.confirm, seconds: warmupSeconds, request: confirmRequest(warmLinks) });
    const confirmPhase = await probed(() => runLoad({ origin: baseUrl, connections: connections.confirm, seconds: phaseSeconds, request: confirmRequest(links) }), { pid: pids.app, postgres: true, label: "confirm" });
    console.log(`  (${int(links.length)} links ready: ${int(pendingRows)} from the sign phase, ${int(topUp)} more inserted directly)`);
    report(`confirm POST + confirmed page, ${connections.confirm} conn.`, confirmPhase, isRedirectToPage);
    const confirmed = confirmPhase.result.statuses.get("303→200") ?? 0;
    const counted = await getSignatureCounts(db, appeal.id);
    const recounted = await recountSignatures(db, appeal.id);
    const countCheck =
      counted.confirmed === confirmed && counted.confirmed === recounted.confirmed && counted.listed === recounted.listed
        ? `count exact: ${int(confirmed)} answers 303→200 = sharded count ${int(counted.confirmed)} (listed ${int(counted.listed)}) = recount`
        : `DISCREPANCY: ${int(confirmed)} answers 303→200, sharded count ${JSON.stringify(counted)}, recount ${JSON.stringify(recounted)}`;
    console.log(`    ${countCheck}`);

    // 5. The appeal page, now with signers listed and a count.
    await runLoad({ origin: baseUrl, connections: connections.page, seconds: warmupSeconds, request: pageRequest });
    const pagePhase = await probed(() => runLoad({ origin: baseUrl, connections: connections.page, seconds: phaseSeconds, request: pageRequest }), { pid: pids.app, postgres: true, label: "page" });
    report(`appeal page GET, ${connections.page} connections`, pagePhase, isOk);
    const pageAnswers = pagePhase.result.statuses.get("200") ?? 0;
    console.log(`    ${pageAnswers ? int(pagePhase.result.bodyBytes / pageAnswers) : "?"} bytes per page on the wire (${[...pagePhase.result.encodings].join(", ") || "identity"})`);

    // The table: each figure beside its target and, where given, its baseline from this run.
    const bareRate = rate(barePhase.result, isOk);
    const signRate = rate(signPhase.result, isRedirectToPage);
    const signP99 = percentile(signPhase.result.latencies, 99);
    const signFailures = failures(signPhase.result, isRedirectToPage);
    const directRate = rate(directPhase.result, isDone);
    const ratio = signRate / directRate;
    const confirmRate = rate(confirmPhase.result, isRedirectToPage);
    const pageRate = rate(pagePhase.result, isOk);
    const pageP99 = percentile(pagePhase.result.latencies, 99);
    const verdict = (checks: [boolean, string][]) => {
      const missed = checks.filter(([met]) => !met).map(([, how]) => how);
      return missed.length === 0 ? "met" : `MISSED: ${missed.join("; ")}`;
    };
    const share = (measured: number, target: number) => `${((measured / target) * 100).toFixed(0)}% of target`;
    const rows = [
      ["figure", "measured", "target", "ratio", "verdict"],
      [
        `sign POST + page (${connections.sign} conn.)`,
        `${int(signRate)}/s, p99 ${ms(signP99)}, ${signFailures.errors} errors (${signFailures.serverErrors} 5xx/none)`,
        `≥ 1,000/s, p99 < 200 ms, 0 errors`,
        `${ratio.toFixed(2)}× pg direct`,
        verdict([
          [signRate >= targets.signRate, `rate ${share(signRate, targets.signRate)}`],
          [signP99 < targets.signP99, `p99 ${ms(signP99)} > ${targets.signP99} ms`],
          [signFailures.errors === 0, `${signFailures.errors} errors`],
        ]),
      ],
      [
        `same DB work via pg (${connections.direct} conn.)`,
        `${int(directRate)}/s, p99 ${ms(percentile(directPhase.result.latencies, 99))}`,
        `sign ≥ 0.35× this`,
        `sign = ${ratio.toFixed(2)}×`,
        verdict([[ratio >= targets.directRatio, `sign is ${ratio.toFixed(2)}×, ${((ratio / targets.directRatio) * 100).toFixed(0)}% of the 0.35× asked`]]),
      ],
      [
        `appeal page GET (${connections.page} conn.)`,
        `${int(pageRate)}/s, p99 ${ms(pageP99)}`,
        `≥ 2,000/s, p99 < 100 ms`,
        `${(pageRate / bareRate).toFixed(3)}× bare server`,
        verdict([
          [pageRate >= targets.pageRate, `rate ${share(pageRate, targets.pageRate)}`],
          [pageP99 < targets.pageP99, `p99 ${ms(pageP99)} > ${targets.pageP99} ms`],
        ]),
      ],
      [
        `confirm POST + page (${connections.confirm} conn.)`,
        `${int(confirmRate)}/s, p99 ${ms(percentile(confirmPhase.result.latencies, 99))}`,
        `≥ 1,000/s`,
        `${(confirmRate / bareRate).toFixed(3)}× bare server`,
        verdict([[confirmRate >= targets.confirmRate, `rate ${share(confirmRate, targets.confirmRate)}`]]),
      ],
      [`bare Node server GET (${connections.bare} conn.)`, `${int(bareRate)}/s, p99 ${ms(percentile(barePhase.result.latencies, 99))}`, "(the load generator's ceiling)", "1.00×", "—"],
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    console.log("\nSummary:");
    for (const row of rows) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}`);
    console.log(`\n  sign: ${signCheck}\n  confirm: ${countCheck}`);
    console.log(`  load average at the end ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}; the whole run took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    await bare?.stop();
    await app?.stop();
    await direct.end();
    await sampler.end().catch(() => undefined);
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
