/**
 * WEB_PROCESSES: several web processes serve one port under a supervisor that runs the worker,
 * replaces a web process that dies, and stops them all on SIGTERM with exit code 0.
 *
 *   npm run build && node --import tsx --test tests/web-processes.test.ts
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import http from "node:http";
import { after, before, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { loadConfig } from "~/infra/config.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { startTestInbox, testMailFrom, type TestInbox } from "./support/mail";
import { builtProcesses } from "./support/processes";
import { waitFor } from "./support/wait";

const secret = "web-processes-secret-0123456789abcdef0123";
let database: TestDatabase;
let inbox: TestInbox;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
  inbox = await startTestInbox();
});

after(async () => {
  await apps.stopAll();
  await inbox.stop();
  await database.drop();
});

/** The processes the supervisor started (its children). */
function webProcessesOf(supervisorPid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(supervisorPid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** A GET on a new connection each time (a kept-alive one may belong to the process just killed). */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("timeout", () => reject(new Error(`no answer from ${url} within 5 s`)))
      .on("error", reject);
  });
}

test("two web processes serve one port; the supervisor's worker sends the email; a dead one is replaced; SIGTERM ends all with 0", async () => {
  const { process: supervisor, port } = await apps.start("server", {
    DATABASE_URL: database.url,
    SMTP_URL: inbox.url,
    MAIL_FROM: testMailFrom,
    NODE_ENV: "test",
    SESSION_SECRET: secret,
    WEB_PROCESSES: "2",
    SHUTDOWN_TIMEOUT_SECONDS: "3",
  });
  assert.match(supervisor.output(), /Undersign is running at http:\/\/localhost:\d+ \(2 web processes\)/);
  const supervisorPid = supervisor.child.pid!;
  const first = webProcessesOf(supervisorPid);
  assert.equal(first.length, 2, "two web processes");

  // A signature through the shared port: the worker, which runs once, in the supervisor, emails it.
  const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
  const signed = await fetch(`http://127.0.0.1:${port}/appeals/${appeal.slug}?index`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ fullName: "Cluster Signer", email: "cluster@example.org", acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - 10_000) }),
  });
  assert.equal(signed.status, 303);
  await waitFor(async () => (await inbox.messages()).some((message) => message.to.includes("cluster@example.org")), "the confirmation email", 15_000);

  // One web process dies: the other keeps answering, and the supervisor starts a new one.
  process.kill(first[0]!, "SIGKILL");
  for (let index = 0; index < 10; index++) assert.equal(await statusOf(`http://127.0.0.1:${port}/healthz`), 200);
  await waitFor(async () => {
    const now = webProcessesOf(supervisorPid);
    return now.length === 2 && !now.includes(first[0]!);
  }, "a replacement web process", 15_000);
  for (let index = 0; index < 10; index++) assert.equal(await statusOf(`http://127.0.0.1:${port}/healthz`), 200);

  const ended = await supervisor.stop("SIGTERM");
  assert.equal(ended.code, 0, supervisor.output());
  assert.deepEqual(webProcessesOf(supervisorPid), [], "no web process is left behind");
});

test("more than one web process needs DATABASE_URL, and says so", () => {
  assert.throws(() => loadConfig({ WEB_PROCESSES: "2", DATA_DIR: "/tmp" }), /WEB_PROCESSES above 1 needs DATABASE_URL/);
  assert.equal(loadConfig({ WEB_PROCESSES: "auto", DATABASE_URL: "postgres://localhost/x", DATA_DIR: "/tmp", SESSION_SECRET: secret }).webProcesses >= 1, true);
});
