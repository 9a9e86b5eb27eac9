/**
 * Downloading exports from the built app, as a browser does: through Express, the organizer
 * guard, compression and the response writer, with the app running as its own process so that
 * its memory and its database connections can be watched from outside.
 *
 *   npm run build && node --import tsx --test tests/export-http.test.ts
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createGunzip } from "node:zlib";
import pg from "pg";
import { exportColumns } from "~/domain/exports.server";
import { startSession } from "~/domain/organizer-sessions";
import type { OrganizerRole } from "~/domain/organizers";
import { sessionCookieName } from "~/infra/session-cookie.server";
import { createTestAppeal } from "./support/appeals";
import { insertConfirmedSignatures } from "./support/bulk-signatures";
import { parseCsv } from "./support/csv";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { freePort, requireBuild, startProcess, type Started } from "./support/processes";
import { waitFor } from "./support/wait";

let database: TestDatabase;
let app: Started;
let baseUrl: string;
let dataDir: string;
/** The test's own look at the database: what the app's connections are doing. */
let observer: pg.Pool;

before(async () => {
  requireBuild();
  database = await createTestDatabase();
  observer = new pg.Pool({ connectionString: database.url, max: 1 });
  dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-export-http-"));
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  // As production runs it; mail is never sent here, so SMTP_URL may point at nothing.
  app = startProcess("node", ["build/server.js"], {
    env: {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      MAIL_FROM: "Undersign Tests <tests@undersign.test>",
      PUBLIC_URL: baseUrl,
      SESSION_SECRET: "export-http-test-secret-of-enough-length",
      OPERATOR_NAME: "Undersign Tests",
      OPERATOR_ADDRESS: "1 Test Street\\n12345 Testtown",
      OPERATOR_EMAIL: "operator@undersign.test",
      PORT: String(port),
      RUN_WORKER: "false",
      DATA_DIR: dataDir,
    },
  });
  await app.waitForOutput(/Undersign is running/);
});

after(async () => {
  await app?.stop();
  await observer?.end();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function sessionCookie(role: OrganizerRole): Promise<string> {
  const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@organizers.example`;
  const organizer = await database.db.organizer.create({ data: { email, emailCanonical: email, name: `Export ${role}`, role } });
  const { token } = await startSession(database.db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
  return `${sessionCookieName({ secure: true })}=${token}`;
}

/** Resident memory of the app's process, in bytes. */
function residentBytes(): number {
  const status = readFileSync(`/proc/${app.child.pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

type Download = { status: number; headers: http.IncomingHttpHeaders; text: string; wireBytes: number };

/**
 * GET as a browser does (gzip accepted), reading no faster than `bytesPerSecond` of what comes
 * over the wire: a person on a slow connection. Without a rate it reads as fast as it can.
 */
function download(pathAndQuery: string, cookie: string | null, options: { bytesPerSecond?: number; gzip?: boolean } = {}): Promise<Download> {
  return new Promise((resolve, reject) => {
    const encoding = options.gzip === false ? {} : { "accept-encoding": "gzip" };
    const request = http.get(`${baseUrl}${pathAndQuery}`, { headers: { ...encoding, ...(cookie ? { cookie } : {}) } }, (response) => {
      const decoded = response.headers["content-encoding"] === "gzip" ? response.pipe(createGunzip()) : response;
      const parts: Buffer[] = [];
      let wireBytes = 0;
      decoded.on("data", (part: Buffer) => parts.push(part));
      decoded.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(parts).toString("utf8"), wireBytes }));
      decoded.on("error", reject);
      response.on("data", (part: Buffer) => {
        wireBytes += part.length;
        if (!options.bytesPerSecond) return;
        response.pause();
        setTimeout(() => response.resume(), (part.length / options.bytesPerSecond) * 1000);
      });
    });
    request.on("error", reject);
  });
}

/** Starts a download and hangs up as soon as the first bytes of the file arrive. */
function hangUpAfterFirstBytes(pathAndQuery: string, cookie: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}${pathAndQuery}`, { headers: { cookie } }, (response) => {
      assert.equal(response.statusCode, 200);
      response.once("data", () => request.destroy());
    });
    request.on("close", () => resolve());
    request.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? resolve() : reject(error)));
  });
}

/** Backends of the app that are inside an export query (running it, or waiting to send more of it). */
async function exportQueriesInProgress(): Promise<number> {
  const { rows } = await observer.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query LIKE '%FROM "Signature" WHERE%'`,
  );
  return rows[0]!.count;
}

describe("downloading an export from the running app", () => {
  test("signed out, the CSV and JSON answer 401 and the page asks to sign in", async () => {
    const appeal = await createTestAppeal(database.db);
    for (const file of ["export.csv", "export.json"]) {
      const answer = await fetch(`${baseUrl}/organize/appeals/${appeal.id}/${file}`, { redirect: "manual" });
      assert.equal(answer.status, 401, file);
    }
    const page = await fetch(`${baseUrl}/organize/appeals/${appeal.id}/export`, { redirect: "manual" });
    assert.equal(page.status, 303);
    assert.match(page.headers.get("location") ?? "", /^\/sign-in\?next=/);
  });

  test("an editor opens the export page and downloads CSV and JSON", async () => {
    const appeal = await createTestAppeal(database.db);
    await insertConfirmedSignatures(observer, appeal.id, 250);
    const cookie = await sessionCookie("EDITOR");

    const page = await fetch(`${baseUrl}/organize/appeals/${appeal.id}/export?scope=listed`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /125 signatures match these choices\./);
    assert.match(html, new RegExp(`formAction="/organize/appeals/${appeal.id}/export.csv"`, "i"));

    const csv = await download(`/organize/appeals/${appeal.id}/export.csv?scope=listed`, cookie);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert.match(csv.headers["content-disposition"] ?? "", new RegExp(`^attachment; filename="${appeal.slug}-signatures-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    assert.match(String(csv.headers["cache-control"]), /no-store/);
    assert.equal(csv.headers["content-encoding"], "gzip");
    const [header, ...records] = parseCsv(csv.text);
    assert.deepEqual(header, [...exportColumns]);
    assert.equal(records.length, 125);

    const json = await download(`/organize/appeals/${appeal.id}/export.json`, cookie);
    assert.equal(json.status, 200);
    assert.equal((JSON.parse(json.text) as unknown[]).length, 250);
  });

  test("a download another site starts goes to the export page instead, and nothing is exported", async () => {
    const appeal = await createTestAppeal(database.db);
    await insertConfirmedSignatures(observer, appeal.id, 3);
    const cookie = await sessionCookie("EDITOR");
    const auditedExports = () => database.db.auditEvent.count({ where: { appealId: appeal.id, action: { startsWith: "export." } } });
    for (const [file, site] of [["export.csv", "cross-site"], ["export.json", "same-site"]] as const) {
      const answer = await fetch(`${baseUrl}/organize/appeals/${appeal.id}/${file}?scope=all`, { headers: { cookie, "Sec-Fetch-Site": site }, redirect: "manual" });
      assert.equal(answer.status, 303, `${file} from a ${site} page`);
      assert.equal(answer.headers.get("location"), `/organize/appeals/${appeal.id}/export`);
      assert.equal(await answer.text(), "");
    }
    assert.equal(await auditedExports(), 0);
    // From the export page itself, or typed into the address bar, it downloads.
    for (const site of ["same-origin", "none"]) {
      const answer = await fetch(`${baseUrl}/organize/appeals/${appeal.id}/export.csv`, { headers: { cookie, "Sec-Fetch-Site": site } });
      assert.equal(answer.status, 200, site);
      assert.equal(parseCsv(await answer.text()).length, 4);
    }
    await waitFor(async () => (await auditedExports()) === 2, "both downloads recorded");
  });

  test("100,000 rows reach a slow client at its pace: the database is read only as the client takes the file", async (t) => {
    const appeal = await createTestAppeal(database.db);
    const rows = 100_000;
    await insertConfirmedSignatures(observer, appeal.id, rows);
    const cookie = await sessionCookie("EDITOR");
    const file = `/organize/appeals/${appeal.id}/export.csv`;
    // A small export first, so that code and pools are warm; a big one would leave the heap
    // grown to its size and hide buffering from the measurement.
    const small = await createTestAppeal(database.db);
    await insertConfirmedSignatures(observer, small.id, 1_000);
    assert.equal((await download(`/organize/appeals/${small.id}/export.csv`, cookie)).status, 200);

    const before = residentBytes();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes())), 20);
    // When, during the download, the export's query was still open in Postgres.
    const started = Date.now();
    const queryOpenAt: number[] = [];
    let watching = true;
    const watchCursor = (async () => {
      while (watching) {
        const { rows: open } = await observer.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') AND query LIKE '%"Signature"%'`,
        );
        if (open.length > 0) queryOpenAt.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // Uncompressed, so that the kernel's socket buffers (a few MB on loopback) hold only a
    // small part of the file: compressed, all of it would fit, and nothing would wait.
    const slow = await download(file, cookie, { bytesPerSecond: 6_000_000, gzip: false }).finally(() => {
      clearInterval(sampler);
      watching = false;
    });
    const downloadMs = Date.now() - started;
    await watchCursor;
    peak = Math.max(peak, residentBytes());

    assert.equal(slow.status, 200);
    assert.equal(parseCsv(slow.text).length, rows + 1);
    const fileBytes = Buffer.byteLength(slow.text);
    const growth = peak - before;
    const lastOpen = Math.max(0, ...queryOpenAt);
    t.diagnostic(
      `file ${(fileBytes / 1e6).toFixed(1)} MB (${(slow.wireBytes / 1e6).toFixed(1)} MB gzip) in ${downloadMs} ms; query last seen open at ${lastOpen} ms; ` +
        `app RSS ${(before / 1e6).toFixed(0)} MB before, growth ${(growth / 1e6).toFixed(1)} MB`,
    );
    // What the app holds, seen from Postgres: the query is read only as the client takes the
    // file, so the query stays open until the download is nearly done (70-90% of the time,
    // measured; the rest is what the socket buffers hold). The app can only hold rows it has
    // read, so what it holds is bounded by that window, not by the file. An app that reads
    // ahead (a writer that does not wait for the client, rows collected first) finishes the
    // query in the first second of a download that takes five and holds the file instead.
    assert.ok(lastOpen > downloadMs / 2, `the export's query was last seen open at ${lastOpen} ms of a ${downloadMs} ms download`);
    // RSS is reported, not asserted: it measures the collector's appetite more than what the
    // app keeps. Over the same download it grew 20-28 MB on Node 20 and 58-84 MB on Node 24,
    // whose V8 keeps freed memory longer; between runs it varies more than buffering would add.
  });

  test("clients that hang up mid-download give back the connection and are recorded as incomplete", async () => {
    const appeal = await createTestAppeal(database.db);
    await insertConfirmedSignatures(observer, appeal.id, 50_000);
    const cookie = await sessionCookie("EDITOR");
    const file = `/organize/appeals/${appeal.id}/export.csv`;
    // More than the app's 4 export connections: a leak would leave the last ones waiting.
    for (let attempt = 0; attempt < 6; attempt++) await hangUpAfterFirstBytes(file, cookie);

    const abandoned = () => database.db.auditEvent.findMany({ where: { appealId: appeal.id, action: "export.csv" } });
    await waitFor(async () => (await abandoned()).length === 6, "six audit entries");
    for (const event of await abandoned()) {
      const details = event.details as { completed: boolean; failed: boolean; rows: number };
      assert.equal(details.completed, false);
      assert.equal(details.failed, false);
      assert.ok(details.rows > 0 && details.rows < 50_000);
    }
    await waitFor(async () => (await exportQueriesInProgress()) === 0, "no export query left in the database");

    const whole = await download(file, cookie);
    assert.equal(whole.status, 200);
    assert.equal(parseCsv(whole.text).length, 50_001);
  });
});
