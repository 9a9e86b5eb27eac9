/**
 * A browser's post of the sign and confirm forms is answered before Remix when it leads on to
 * the next page, and handed to Remix with its outcome when the form's page must answer
 * (infra/direct-form-posts.server.ts, decision 036). Seen from outside, both answer as the
 * routes always did; these tests hold that, against the built app.
 *
 *   npm run build && node --import tsx --test tests/direct-form-posts.test.ts
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { createToken } from "~/domain/tokens";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";

const secret = "direct-form-posts-secret-0123456789abcdef";
let database: TestDatabase;
const apps = builtProcesses();
let origin: string;
let port: number;
let appOutput: () => string;

before(async () => {
  database = await createTestDatabase();
  const started = await apps.start("server", { DATABASE_URL: database.url, RUN_WORKER: "false", NODE_ENV: "test", SESSION_SECRET: secret, SIGN_MIN_FILL_SECONDS: "0" });
  port = started.port;
  appOutput = () => started.process.output();
  origin = `http://127.0.0.1:${port}`;
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

/** What a browser sends with the sign form. */
function signForm(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams({ acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - 10_000), ...fields });
}

function post(path: string, body: URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}${path}`, { method: "POST", redirect: "manual", headers: { "Sec-Fetch-Site": "same-origin", "Accept-Language": "en", ...headers }, body });
}

async function jobsFor(signatureId: string): Promise<number> {
  const rows = await database.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'signatureId' = ${signatureId}`;
  return rows[0]?.n ?? 0;
}

describe("the sign form, posted by a browser", () => {
  test("a signature is answered with the thanks page's address and the site's security headers, and written once with one email", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const response = await post(`/appeals/${appeal.slug}?index`, signForm({ fullName: "Amina Yusuf", email: "amina@example.org" }));

    assert.equal(response.status, 303, await response.text());
    assert.equal(response.headers.get("location"), `/appeals/${appeal.slug}/thanks`);
    assert.match(response.headers.get("cache-control") ?? "", /no-store/);
    assert.match(response.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    assert.equal(response.headers.get("referrer-policy"), "same-origin");
    const signatures = await database.db.signature.findMany({ where: { appealId: appeal.id } });
    assert.deepEqual(
      signatures.map((signature) => [signature.fullName, signature.status]),
      [["Amina Yusuf", "PENDING"]],
    );
    assert.equal(await jobsFor(signatures[0]!.id), 1, "one confirmation email queued");
  });

  test("a mistake is shown in the form with what was typed, and a closed appeal shows its page without the form; nothing is written", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const mistaken = await post(`/appeals/${appeal.slug}?index`, signForm({ fullName: "", email: "keep-this@example.org" }));
    assert.equal(mistaken.status, 400);
    const page = await mistaken.text();
    assert.match(page, /Enter your full name\./);
    assert.match(page, /value="keep-this@example\.org"/);

    await database.db.appeal.update({ where: { id: appeal.id }, data: { status: "CLOSED", closedAt: new Date() } });
    const late = await post(`/appeals/${appeal.slug}?index`, signForm({ fullName: "Late Comer", email: "late@example.org" }));
    assert.equal(late.status, 409);
    const closedPage = await late.text();
    assert.ok(closedPage.includes(appeal.title), "the appeal's page, which says it is closed");
    assert.doesNotMatch(closedPage, /id="sign-form"/);
    assert.equal(await database.db.signature.count({ where: { appealId: appeal.id } }), 0);
  });

  test("proof of work the appeal asks for and the post lacks is asked for once more, and the form's page says why", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "ALWAYS" });
    const response = await post(`/appeals/${appeal.slug}?index`, signForm({ fullName: "No Script", email: "no-script@example.org" }));
    assert.equal(response.status, 400);
    assert.match(await response.text(), /value="No Script"/);
    assert.equal(await database.db.signature.count({ where: { appealId: appeal.id } }), 0);
  });

  test("a client that hangs up halfway through the form leaves no signature and no error behind", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const head = [`POST /appeals/${appeal.slug}?index HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Sec-Fetch-Site: same-origin", "Content-Type: application/x-www-form-urlencoded", "Content-Length: 500"];
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(`${head.join("\r\n")}\r\n\r\nfullName=Half&email=ha`, () => {
        socket.destroy();
        resolve();
      }));
      socket.on("error", reject);
    });
    // The hang-up reached the server before this request, sent after it, did.
    const next = await post(`/appeals/${appeal.slug}?index`, signForm({ fullName: "Whole Form", email: "whole@example.org" }));
    assert.equal(next.status, 303);
    const names = (await database.db.signature.findMany({ where: { appealId: appeal.id } })).map((signature) => signature.fullName);
    assert.deepEqual(names, ["Whole Form"]);
    assert.doesNotMatch(appOutput(), /unhandled error|"level":50/);
  });

  test("the post Remix's own script sends (.data) still signs, through the route's action", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const response = await post(`/appeals/${appeal.slug}.data?index`, signForm({ fullName: "Script Sender", email: "script@example.org" }));
    assert.ok(response.status < 400, `status ${response.status}: ${await response.text()}`);
    const signatures = await database.db.signature.findMany({ where: { appealId: appeal.id } });
    assert.equal(signatures.length, 1);
    assert.equal(await jobsFor(signatures[0]!.id), 1);
  });
});

describe("the confirm button, pressed by a browser", () => {
  async function pendingSignature(appealId: string, email: string): Promise<string> {
    const { token, tokenHash } = createToken();
    await database.db.signature.create({
      data: { appealId, fullName: "Pending Person", email, emailCanonical: email, showPublicly: true, tokens: { create: { tokenHash, purpose: "CONFIRM", expiresAt: new Date(Date.now() + 60_000) } } },
    });
    return token;
  }

  test("the press leads to the confirmed page with the withdraw link once, keeping the link's language; again, without it", async () => {
    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const token = await pendingSignature(appeal.id, "press@example.org");

    const first = await post(`/confirm/${token}?lang=ru`, new URLSearchParams());
    assert.equal(first.status, 303, await first.text());
    const location = first.headers.get("location") ?? "";
    assert.match(location, new RegExp(`^/appeals/${appeal.slug}/confirmed\\?listed=yes&lang=ru#withdraw=[A-Za-z0-9_-]{43}$`));
    assert.match(first.headers.get("cache-control") ?? "", /no-store/);
    assert.equal((await database.db.signature.findFirstOrThrow({ where: { appealId: appeal.id } })).status, "CONFIRMED");

    const again = await post(`/confirm/${token}`, new URLSearchParams());
    assert.equal(again.status, 303);
    assert.equal(again.headers.get("location"), `/appeals/${appeal.slug}/confirmed?listed=yes`);
  });

  test("an unknown link, and a link of an appeal closed long ago, get the confirmation page saying so", async () => {
    const unknown = await post(`/confirm/${createToken().token}`, new URLSearchParams());
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /<h1[^>]*>[^<]+<\/h1>/);

    const appeal = await createTestAppeal(database.db, { proofOfWork: "OFF" });
    const token = await pendingSignature(appeal.id, "too-late@example.org");
    await database.db.appeal.update({ where: { id: appeal.id }, data: { status: "CLOSED", closedAt: new Date(Date.now() - 3 * 24 * 3_600_000) } });
    const late = await post(`/confirm/${token}`, new URLSearchParams());
    assert.equal(late.status, 409);
    assert.equal((await database.db.signature.findFirstOrThrow({ where: { appealId: appeal.id } })).status, "PENDING");
  });
});
