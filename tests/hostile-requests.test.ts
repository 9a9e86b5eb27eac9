/**
 * Hostile requests: 1,000 random and hostile bodies and query strings, sent to every public form
 * and API of the built app (tests/support/hostile-bodies.ts says what they are). Whatever comes
 * in, the answer is never a 5xx: broken input is the client's mistake, answered with a 4xx or
 * with the form and its errors. Bodies far over the cap on public forms get a 413 (or a 400).
 *
 *   npm run build && node --import tsx --test tests/hostile-requests.test.ts
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { solveChallenge, type Challenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { describeRequest, hostileRequests, prepareHostileTargets, sendHostileRequests, type Answer, type HostileTargets } from "./support/hostile-bodies";
import { freePort, requireBuild, startProcess, type Started } from "./support/processes";

const secret = "hostile-requests-secret-0123456789abcdef";
const requestCount = 1000;
const seed = 20260504;

let database: TestDatabase;
let app: Started;
let dataDir: string;
let baseUrl: string;

before(async () => {
  requireBuild();
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-hostile-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  app = startProcess("node", ["build/server.js"], {
    env: {
      DATABASE_URL: database.url,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      RUN_WORKER: "false",
      NODE_ENV: "test",
      SESSION_SECRET: secret,
      SIGN_MIN_FILL_SECONDS: "0",
      // The first 200 signatures take the ordinary path, the rest are held: both meet hostile input.
      SIGN_LIMIT_PER_IP_MINUTE: "200",
    },
  });
  await app.waitForOutput(/Undersign is running at/);
});

after(async () => {
  await app?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What the app's own widget would do: fetch a challenge, and solve one for the appeal that always asks. */
async function proofOfWork(): Promise<Pick<HostileTargets, "challenge" | "solvedProofOfWork">> {
  const response = await fetch(`${baseUrl}/proof-of-work/challenge`);
  assert.equal(response.status, 200);
  const challenge = (await response.json()) as Challenge;
  const solvable = (await (await fetch(`${baseUrl}/proof-of-work/challenge`)).json()) as Challenge;
  const solution = await solveChallenge({ challenge: solvable, deriveKey });
  assert.ok(solution, "the app's challenge can be solved");
  return { challenge, solvedProofOfWork: Buffer.from(JSON.stringify({ challenge: solvable, solution })).toString("base64") };
}

/** Why an answer is wrong, or null when it is fine. */
function problemWith(answer: Answer): string | null {
  if (answer.request.oversize) {
    if (answer.status === 413 || answer.status === 400) return null;
    // Refused before it was read: the connection may close while the body is still on its way.
    if (answer.status === null && /other side closed|ECONNRESET|EPIPE|socket/i.test(answer.error ?? "")) return null;
    return answer.status === null ? `no answer (${answer.error})` : `${answer.status}, not 413 or 400`;
  }
  if (answer.status === null) return `no answer (${answer.error})`;
  return answer.status >= 500 ? String(answer.status) : null;
}

/** Each kind of error the app logged, once, with how often: the server's side of a 5xx. */
function distinctErrors(output: string): string[] {
  const counts = new Map<string, number>();
  for (const line of output.split("\n")) {
    let entry: { level?: number; msg?: string; err?: { type?: string; message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 50) continue;
    // Quoted parts (a path, a value) vary between requests; the kind of error does not.
    const message = `${entry.msg ?? ""}: ${entry.err?.type ?? ""} ${(entry.err?.message ?? "").replace(/\s+/g, " ").replace(/'[^']*'|"[^"]*"/g, "…").trim()}`.slice(0, 300);
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => `${count}× ${message}`);
}

function tally(answers: readonly Answer[]): string {
  const byRoute = new Map<string, Map<string, number>>();
  for (const { request, status } of answers) {
    const statuses = byRoute.get(request.route) ?? new Map<string, number>();
    const key = status === null ? "no answer" : String(status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    byRoute.set(request.route, statuses);
  }
  return [...byRoute]
    .map(([route, statuses]) => `${route}: ${[...statuses].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${count}× ${status}`).join(", ")}`)
    .join("\n");
}

test(`${requestCount} random and hostile requests to the public forms and APIs: never a 5xx`, async (t) => {
  const targets: HostileTargets = { ...(await prepareHostileTargets(database.db, secret)), ...(await proofOfWork()) };
  const requests = hostileRequests(targets, { count: requestCount, seed });
  assert.equal(requests.length, requestCount);

  const started = performance.now();
  const answers = await sendHostileRequests(baseUrl, requests, { concurrency: 8, timeoutMs: 20_000 });
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${answers.length} requests in ${seconds.toFixed(1)} s (seed ${seed})`);
  for (const line of tally(answers).split("\n")) t.diagnostic(line);

  const problems = answers.flatMap((answer) => {
    const problem = problemWith(answer);
    return problem ? [`${problem}: ${describeRequest(answer.request)}`] : [];
  });
  if (problems.length > 0) {
    assert.fail(`${problems.length} of ${answers.length} answers were wrong:\n${problems.join("\n")}\n\nErrors the app logged:\n${distinctErrors(app.output()).join("\n")}`);
  }

  // Every write got past the cross-site guard and reached its route: the test tested something.
  const forbidden = answers.filter((answer) => answer.request.method === "POST" && answer.status === 403);
  assert.equal(forbidden.length, 0, `403s:\n${forbidden.slice(0, 10).map((answer) => describeRequest(answer.request)).join("\n")}`);
  assert.ok(answers.some((answer) => answer.request.route.startsWith("POST /appeals/:slug?index") && answer.status === 303), "some signatures were accepted");
  assert.ok(answers.some((answer) => answer.request.route.startsWith("POST /appeals/:slug?index") && answer.status === 400), "some were refused with the form");

  // And the app is still there, answering.
  assert.equal(app.child.exitCode, null, "the app is still running");
  assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
});
