/**
 * SIGTERM, as a deployment sends it: the web process stops taking connections, lets the
 * requests in flight finish, and exits 0 — within SHUTDOWN_TIMEOUT_SECONDS even when a client
 * holds its connection and never finishes.
 *
 *   npm run build && node --import tsx --test tests/graceful-shutdown.test.ts
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses, type Started } from "./support/processes";

const secret = "graceful-shutdown-secret-0123456789abcdef";
let database: TestDatabase;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

async function startApp(): Promise<{ app: Started; port: number }> {
  const { process: app, port } = await apps.start("server", { DATABASE_URL: database.url, RUN_WORKER: "false", NODE_ENV: "test", SESSION_SECRET: secret, SHUTDOWN_TIMEOUT_SECONDS: "3", LOG_LEVEL: "info" });
  return { app, port };
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Everything the server sends on this socket until it closes it. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
  });
}

test("a request in flight when SIGTERM comes is answered; a client that never finishes does not hold the exit; the code is 0", async () => {
  const { app, port } = await startApp();
  const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
  const body = new URLSearchParams({ fullName: "Late Signer", email: "late@example.org", acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - 10_000) }).toString();
  const head = [`POST /appeals/${appeal.slug}?index HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Sec-Fetch-Site: same-origin", "Content-Type: application/x-www-form-urlencoded", `Content-Length: ${body.length}`, "", ""].join("\r\n");

  // A form half-sent, and a client that sends half a request line and then nothing at all.
  const inFlight = await openSocket(port);
  const inFlightAnswer = readUntilClosed(inFlight);
  inFlight.write(head + body.slice(0, 20));
  const stalled = await openSocket(port);
  const stalledClosed = readUntilClosed(stalled);
  stalled.write("GET /appeals/");

  const signalled = Date.now();
  app.child.kill("SIGTERM");
  await app.waitForOutput(/shutting down/);
  // A new request from now on is not served: refused, or cut off unanswered at the exit.
  const latecomer = fetch(`http://127.0.0.1:${port}/healthz`).then(
    (response) => `answered ${response.status}`,
    () => "not served",
  );
  // The form's sender finishes after the signal: the answer is the usual one.
  inFlight.write(body.slice(20));
  assert.match(await inFlightAnswer, /^HTTP\/1\.1 303 /);
  assert.equal(await database.db.signature.count({ where: { appealId: appeal.id, email: "late@example.org" } }), 1);

  const finished = await app.finished;
  const elapsed = Date.now() - signalled;
  await stalledClosed;
  assert.equal(await latecomer, "not served", "a request that came after SIGTERM");
  assert.equal(finished.code, 0, finished.output);
  assert.ok(elapsed >= 2_500 && elapsed < 6_000, `exited ${elapsed} ms after SIGTERM; the deadline was 3 s`);
  assert.match(finished.output, /shutdown deadline reached/);
});

test("without such a client it exits at once", async () => {
  const { app } = await startApp();
  const signalled = Date.now();
  app.child.kill("SIGTERM");
  const finished = await app.finished;
  assert.equal(finished.code, 0, finished.output);
  assert.ok(Date.now() - signalled < 2_500, `exited ${Date.now() - signalled} ms after SIGTERM`);
});
