/**
 * The edge of the web process, tried from outside as a proxy, an attacker or an unlucky day
 * would: a proxy that rewrites Host, cross-site writes on every kind of route, oversized and
 * length-less bodies, a database that stalls, the security headers, and who may see the dev
 * mailbox.
 *
 *   npm run build && node --import tsx --test tests/hardened-edge.test.ts
 */
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import os from "node:os";
import { after, before, describe, test } from "node:test";
import { issueFormToken } from "~/domain/form-timing.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";
import { waitFor } from "./support/wait";
import { startStallingProxy, type StallingProxy } from "./support/stalling-proxy";

const secret = "hardened-edge-secret-0123456789abcdef";
const publicUrl = "https://sign.example.org";
let database: TestDatabase;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

type App = { port: number; local: string };

async function startApp(env: Record<string, string> = {}): Promise<App> {
  const { port } = await apps.start("server", { DATABASE_URL: database.url, RUN_WORKER: "false", NODE_ENV: "test", SESSION_SECRET: secret, SIGN_MIN_FILL_SECONDS: "0", ...env });
  return { port, local: `http://127.0.0.1:${port}` };
}

function signForm(index: number): URLSearchParams {
  return new URLSearchParams({
    fullName: `Edge Signer ${index}`,
    email: `edge${index}@example.org`,
    acceptPrivacy: "on",
    formIssuedAt: issueFormToken(secret, Date.now() - 10_000),
  });
}

/** The machine's own address on its network (not loopback), as another computer would reach it. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((candidate) => candidate && candidate.family === "IPv4" && !candidate.internal);
  assert.ok(address, "this test needs the machine to have a network address besides loopback");
  return address.address;
}

/** A GET whose path goes out exactly as written: no dot segments resolved, no escapes or case changed. */
function getAsSent(host: string, port: number, path: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host, port, path, method: "GET" }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on("error", reject);
    request.end();
  });
}

/** Sends raw HTTP and returns the status line, without sending more than `body`. */
function rawRequest(port: number, head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${head}\r\n\r\n${body}`));
    let received = "";
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no answer within 5 s; received so far: ${JSON.stringify(received)}`));
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.slice(0, received.indexOf("\r\n")));
      }
    });
    socket.on("error", reject);
  });
}

describe("behind a reverse proxy", () => {
  let app: App;
  let slug: string;
  before(async () => {
    // Pages rendered for each request: a cached page carries script hashes in place of a fresh
    // nonce (tests/page-cache.test.ts covers that one).
    app = await startApp({ PUBLIC_URL: publicUrl, PAGE_CACHE_SECONDS: "0" });
    slug = (await createTestAppeal(database.db, { proofOfWork: "OFF" })).slug;
  });

  test("a form posted through a proxy that rewrites Host is judged against PUBLIC_URL and goes through", async () => {
    // nginx's default: Host is the upstream's address; the browser's Origin is the public site.
    for (const [index, extra] of [
      [1, { "Sec-Fetch-Site": "same-origin" }],
      [2, {}],
    ] as const) {
      const response = await fetch(`${app.local}/appeals/${slug}?index`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: publicUrl, "X-Forwarded-Proto": "https", ...extra },
        body: signForm(index),
      });
      assert.equal(response.status, 303, `attempt ${index}: ${await response.text()}`);
      assert.equal(response.headers.get("location"), `/appeals/${slug}/thanks`);
    }
    assert.equal(await database.db.signature.count({ where: { appeal: { slug } } }), 2);
  });

  test("a write from another site is 403 on a page action, a .data request and a resource route, by Sec-Fetch-Site or by Origin", async () => {
    const targets = [`/appeals/${slug}?index`, `/appeals/${slug}.data?index`, "/proof-of-work/challenge", "/healthz"];
    const attempts: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "same-site", Origin: "https://evil.sign.example.org" },
      { Origin: "https://evil.example" }, // an older browser: Origin alone
      { Origin: "null" },
      // The Host header names the upstream, so an Origin matching it proves nothing.
      { Origin: app.local },
    ];
    for (const target of targets) {
      for (const headers of attempts) {
        const response = await fetch(`${app.local}${target}`, { method: "POST", redirect: "manual", headers, body: signForm(99) });
        assert.equal(response.status, 403, `${target} with ${JSON.stringify(headers)}`);
      }
    }
    assert.equal(await database.db.signature.count({ where: { email: "edge99@example.org" } }), 0);
  });

  test("a 1 MB form is refused with 413 before its body is read; a body without a length gets 411", async () => {
    const head = [`POST /appeals/${slug}?index HTTP/1.1`, `Host: 127.0.0.1:${app.port}`, "Sec-Fetch-Site: same-origin", "Content-Type: application/x-www-form-urlencoded"];
    // Only the first kilobyte is sent: the answer must come without waiting for the rest.
    assert.equal(await rawRequest(app.port, [...head, "Content-Length: 1048576"].join("\r\n"), "fullName=" + "x".repeat(1000)), "HTTP/1.1 413 Payload Too Large");
    assert.equal(await rawRequest(app.port, [...head, "Transfer-Encoding: chunked"].join("\r\n"), "5\r\nhello\r\n"), "HTTP/1.1 411 Length Required");
    // A public form reached through the organizer area's name gets the public form's cap, not the organizers' 2 MB.
    const roundabout = [`POST /organize/../appeals/${slug}?index HTTP/1.1`, ...head.slice(1)];
    assert.equal(await rawRequest(app.port, [...roundabout, "Content-Length: 1048576"].join("\r\n"), "fullName=" + "x".repeat(1000)), "HTTP/1.1 413 Payload Too Large");
    // The longest legal form is far below the cap.
    const response = await fetch(`${app.local}/appeals/${slug}?index`, { method: "POST", redirect: "manual", headers: { "Sec-Fetch-Site": "same-origin" }, body: new URLSearchParams({ ...Object.fromEntries(signForm(3)), comment: "ж".repeat(500), role: "ж".repeat(200) }) });
    assert.equal(response.status, 303);
  });

  test("answers that echo what was typed are no-store; a throttled sign-in keeps its Retry-After", async () => {
    const invalid = await fetch(`${app.local}/appeals/${slug}?index`, { method: "POST", headers: { "Sec-Fetch-Site": "same-origin" }, body: new URLSearchParams({ fullName: "Echo Me", email: "not-an-email" }) });
    assert.equal(invalid.status, 400);
    assert.match(await invalid.text(), /Echo Me/);
    assert.match(invalid.headers.get("cache-control") ?? "", /no-store/);
    assert.equal(invalid.headers.get("cdn-cache-control"), null);

    let last: Response | undefined;
    for (let attempt = 0; attempt < 7; attempt++) {
      last = await fetch(`${app.local}/sign-in`, { method: "POST", headers: { "Sec-Fetch-Site": "same-origin" }, body: new URLSearchParams({ email: "nobody@example.org", password: "wrong password here" }) });
      if (last.status === 429) break;
    }
    assert.equal(last?.status, 429);
    assert.match(last!.headers.get("retry-after") ?? "", /^\d+$/);
    assert.match(last!.headers.get("cache-control") ?? "", /no-store/);
  });

  test("the old ?_data requests get a 400, however the parameter is spelled", async () => {
    for (const query of ["_data=root", "x=1&_data=routes%2Fappeals.%24slug._index", "%5Fdata=root", "%5fdata"]) {
      const answer = await getAsSent("127.0.0.1", app.port, `/appeals/${slug}?${query}`);
      assert.equal(answer.status, 400, query);
    }
    assert.equal((await getAsSent("127.0.0.1", app.port, `/appeals/${slug}?lang=en&data=1`)).status, 200);
  });

  test("the organizer area's guard knows its pages by any spelling the router accepts", async () => {
    for (const spelling of ["/organize", "/ORGANIZE", "/%6Frganize/audit", "/x/../Organize/Block-List", "//organize//appeals"]) {
      const answer = await getAsSent("127.0.0.1", app.port, spelling);
      assert.equal(answer.status, 303, spelling);
      assert.match(String(answer.headers.location), /^\/sign-in\?next=/, spelling);
      assert.equal(answer.headers["cache-control"], "private, no-store", spelling);
    }
  });

  test("pages carry a CSP whose nonce is on Remix's inline scripts, and the other security headers", async () => {
    const response = await fetch(`${app.local}/appeals/${slug}`);
    assert.equal(response.status, 200);
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, `a nonce in ${csp}`);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    const html = await response.text();
    // Data blocks (type="application/json") never run, so CSP does not apply to them.
    const inlineScripts = [...html.matchAll(/<script(?![^>]*\ssrc=)(?![^>]*type="application\/json")([^>]*)>/g)];
    assert.ok(inlineScripts.length > 0);
    for (const [, attributes] of inlineScripts) assert.ok(attributes!.includes(`nonce="${nonce}"`), `inline script with the nonce: <script${attributes}>`);
    const second = await fetch(`${app.local}/appeals/${slug}`);
    assert.notEqual(/'nonce-([^']+)'/.exec(second.headers.get("content-security-policy") ?? "")?.[1], nonce, "a new nonce for every response");
    // Nonces come from one random fill per 256 answers: still 16 random bytes, and never the same
    // twice across the refill.
    const nonces = new Set<string>();
    for (let index = 0; index < 300; index++) {
      const answer = await fetch(`${app.local}/healthz`);
      await answer.arrayBuffer();
      const value = /'nonce-([^']+)'/.exec(answer.headers.get("content-security-policy") ?? "")?.[1] ?? "";
      assert.equal(Buffer.from(value, "base64").length, 16, `a 16-byte nonce: ${value}`);
      nonces.add(value);
    }
    assert.equal(nonces.size, 300, "300 answers, 300 different nonces");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.match(response.headers.get("permissions-policy") ?? "", /camera=\(\)/);
    assert.equal(response.headers.get("strict-transport-security"), null, "no HSTS outside production");
    // Cached by a CDN, and in the reader's language: one copy per language.
    assert.match(response.headers.get("vary") ?? "", /Accept-Language/i);
  });
});

describe("in production", () => {
  test("HSTS is sent, and the app listens on every interface", async () => {
    const app = await startApp({
      NODE_ENV: "production",
      PUBLIC_URL: publicUrl,
      SMTP_URL: "smtp://127.0.0.1:2525",
      MAIL_FROM: "Undersign <undersign@sign.example.org>",
      OPERATOR_NAME: "Edge Test Association",
      OPERATOR_ADDRESS: "1 Test Street\\n1000 Testtown",
      OPERATOR_EMAIL: "office@sign.example.org",
    });
    const response = await fetch(`http://${networkAddress()}:${app.port}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
  });
});

describe("outside production", () => {
  test("the app listens on this machine only, unless HOST says otherwise", async () => {
    const quiet = await startApp();
    assert.equal((await fetch(`${quiet.local}/healthz`)).status, 200);
    await assert.rejects(fetch(`http://${networkAddress()}:${quiet.port}/healthz`), "not reachable from the network");

    const open = await startApp({ HOST: "0.0.0.0" });
    assert.equal((await fetch(`http://${networkAddress()}:${open.port}/healthz`)).status, 200);
  });

  test("the dev mailbox answers only a browser on this machine, whatever X-Forwarded-For says", async () => {
    const app = await startApp({ HOST: "0.0.0.0", SMTP_URL: "", TRUST_PROXY: "true" });
    assert.equal((await fetch(`${app.local}/dev/mailbox`)).status, 200);
    for (const page of ["/dev/mailbox", "/dev/mailbox.data", "/dev/mailbox/anything"]) {
      const fromNetwork = await fetch(`http://${networkAddress()}:${app.port}${page}`, { headers: { "X-Forwarded-For": "127.0.0.1" } });
      assert.equal(fromNetwork.status, 404, page);
    }
    // Other spellings the router reads as the same page, sent as they are (fetch would tidy them).
    for (const spelling of ["/DEV/MAILBOX", "/dev/%6Dailbox", "/x/../dev/mailbox", "/x/%2e%2e/dev/mailbox"]) {
      assert.equal((await getAsSent(networkAddress(), app.port, spelling)).status, 404, spelling);
      assert.equal((await getAsSent("127.0.0.1", app.port, spelling)).status, 200, `${spelling} from this machine`);
    }
  });
});

describe("a database that stalls", () => {
  let proxy: StallingProxy;
  before(async () => {
    proxy = await startStallingProxy(database.url);
  });
  after(async () => {
    await proxy.close();
  });

  test("pages and forms answer a friendly 503 within about five seconds, and the app recovers by itself", async () => {
    // Without the page cache, which would go on serving the page it rendered a moment before the
    // stall for up to two seconds.
    const app = await startApp({ DATABASE_URL: proxy.url, PAGE_CACHE_SECONDS: "0" });
    const slug = (await createTestAppeal(database.db, { proofOfWork: "OFF" })).slug;
    assert.equal((await fetch(`${app.local}/appeals/${slug}`)).status, 200);

    proxy.stall();
    for (const [what, request] of [
      ["the appeal page", () => fetch(`${app.local}/appeals/${slug}`)],
      ["the sign form", () => fetch(`${app.local}/appeals/${slug}?index`, { method: "POST", redirect: "manual", headers: { "Sec-Fetch-Site": "same-origin" }, body: signForm(50) })],
      ["the page's data", () => fetch(`${app.local}/appeals/${slug}.data`)],
    ] as const) {
      const started = Date.now();
      const response = await request();
      const elapsed = Date.now() - started;
      assert.equal(response.status, 503, what);
      assert.ok(elapsed < 6_500, `${what} answered after ${elapsed} ms`);
      assert.equal(response.headers.get("retry-after"), "5", what);
      assert.match(response.headers.get("cache-control") ?? "", /no-store/, what);
      if (what === "the appeal page") assert.match(await response.text(), /Busy for a moment/);
    }

    proxy.resume();
    await waitFor(async () => (await fetch(`${app.local}/appeals/${slug}`)).status === 200, "the app to answer again once the database does", 15_000);
  });
});
