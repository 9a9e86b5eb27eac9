/**
 * Limits are shared by every web process: a burst from one address spread over two app
 * processes on one database is limited as if it had hit one. The excess is held — answered
 * exactly like the rest, not counted, not emailed.
 *
 *   npm run build && node --import tsx --test tests/limits-across-processes.test.ts
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { getSignatureCounts } from "~/domain/counts";
import { issueFormToken } from "~/domain/form-timing.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { freePort, requireBuild, startProcess, type Started } from "./support/processes";

const secret = "limits-across-processes-secret-0123456789";
let database: TestDatabase;
const apps: Started[] = [];
const folders: string[] = [];

before(async () => {
  requireBuild();
  database = await createTestDatabase();
});

after(async () => {
  for (const app of apps) await app.stop();
  await database.drop();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function startWebProcess(): Promise<string> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-limits-"));
  folders.push(dataDir);
  const app = startProcess("node", ["build/server.js"], {
    env: { DATABASE_URL: database.url, PORT: String(port), DATA_DIR: dataDir, RUN_WORKER: "false", NODE_ENV: "test", SESSION_SECRET: secret, SIGN_LIMIT_PER_IP_MINUTE: "10" },
  });
  apps.push(app);
  await app.waitForOutput(/Undersign is running at/);
  return `http://localhost:${port}`;
}

test("a burst of 50 signatures from one address through two processes: 10 go through, 40 are held, every answer the same", async () => {
  // Without proof of work: automatic mode would (rightly) ask this busy address for it.
  const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
  const servers = [await startWebProcess(), await startWebProcess()];
  const formIssuedAt = issueFormToken(secret, Date.now() - 10_000);
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, index) =>
      fetch(`${servers[index % 2]}/appeals/${appeal.slug}?index`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ fullName: `Burst Signer ${index}`, email: `burst${index}@example.org`, acceptPrivacy: "on", showPublicly: "on", formIssuedAt }),
      }),
    ),
  );
  const shapes = new Set(
    responses.map((response) => JSON.stringify({ status: response.status, location: response.headers.get("location"), headers: [...response.headers.keys()].filter((name) => name !== "date").sort() })),
  );
  assert.equal(shapes.size, 1, `every answer looks the same: ${[...shapes].join(" | ")}`);
  assert.equal(responses[0]!.status, 303);
  assert.equal(responses[0]!.headers.get("location"), `/appeals/${appeal.slug}/thanks`);

  const byStatus = await database.db.signature.groupBy({ by: ["status"], where: { appealId: appeal.id }, _count: true });
  assert.deepEqual(Object.fromEntries(byStatus.map((row) => [row.status, row._count])), { PENDING: 10, HELD: 40 });
  const [jobs] = await database.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM graphile_worker._private_jobs`;
  assert.equal(jobs?.count, 10, "only the signatures within the limit get an email");
  assert.deepEqual(await getSignatureCounts(database.db, appeal.id), { confirmed: 0, listed: 0 });
});
