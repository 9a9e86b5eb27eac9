import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase } from "../../tests/support/database";
import { startTestInbox, testMailFrom } from "../../tests/support/mail";

/**
 * Starts what the journeys run against: the built app (`node build/server.js`, as in
 * production) on a database of its own, sending mail over real SMTP to an inbox the
 * tests read. Returns the teardown.
 */
export default async function globalSetup() {
  const port = process.env.UNDERSIGN_E2E_PORT;
  if (!port) throw new Error("UNDERSIGN_E2E_PORT is not set (playwright.config.ts sets it)");
  const baseUrl = `http://localhost:${port}`;
  const database = await createTestDatabase();
  const inbox = await startTestInbox();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-e2e-"));

  const app = spawn("node", ["build/server.js"], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: port,
      PUBLIC_URL: baseUrl,
      DATABASE_URL: database.url,
      SMTP_URL: inbox.url,
      MAIL_FROM: testMailFrom,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      WORKER_CONCURRENCY: "4",
      // Low enough for a journey to reach; each journey signs its own appeal at most 3 times.
      SIGN_LIMIT_PER_IP_MINUTE: "4",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
  await waitUntilHealthy(baseUrl, app, exited);

  process.env.UNDERSIGN_E2E_DATABASE_URL = database.url;
  process.env.UNDERSIGN_E2E_MAILBOX = inbox.directory;

  return async () => {
    app.kill("SIGTERM");
    await exited;
    await inbox.stop();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

async function waitUntilHealthy(baseUrl: string, app: ChildProcess, exited: Promise<number | null>) {
  const deadline = Date.now() + 60_000;
  let appExit: number | null | undefined;
  void exited.then((code) => (appExit = code));
  while (Date.now() < deadline) {
    if (appExit !== undefined) throw new Error(`the app exited during start-up (code ${appExit})`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  app.kill("SIGKILL");
  throw new Error(`the app did not answer ${baseUrl}/healthz within 60 s`);
}
