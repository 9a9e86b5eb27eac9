/**
 * Attachments live in the database, not on one web process's disk: a second web process
 * (another `npm start` on another port against the same database) serves the same files.
 *
 *   npm run build && node --import tsx --test tests/attachments-across-processes.test.ts
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { addDemoAppeal } from "~/domain/demo-appeal";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { freePort, requireBuild, startProcess, type Started } from "./support/processes";

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
  // Each process has a data folder of its own: nothing on disk is shared.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-web-"));
  folders.push(dataDir);
  const app = startProcess("node", ["build/server.js"], { env: { DATABASE_URL: database.url, PORT: String(port), DATA_DIR: dataDir, RUN_WORKER: "false", NODE_ENV: "test" } });
  apps.push(app);
  await app.waitForOutput(/Undersign is running at/);
  return `http://localhost:${port}`;
}

test("two web processes on one database serve the same attachment bytes", async () => {
  const { slug } = await addDemoAppeal(database.db, `shared-${Date.now()}`);
  const [first, second] = [await startWebProcess(), await startWebProcess()];
  const page = await (await fetch(`${first}/appeals/${slug}`)).text();
  const imagePath = /src="(\/attachments\/[^"]+)"/.exec(page)?.[1];
  assert.ok(imagePath, "the appeal page shows its page scan");
  const [fromFirst, fromSecond] = await Promise.all([fetch(`${first}${imagePath}`), fetch(`${second}${imagePath}`)]);
  assert.equal(fromFirst.status, 200);
  assert.equal(fromSecond.status, 200);
  assert.equal(fromSecond.headers.get("content-type"), "image/webp");
  assert.deepEqual(Buffer.from(await fromSecond.arrayBuffer()), Buffer.from(await fromFirst.arrayBuffer()));
});
