/**
 * The page cache (PAGE_CACHE_SECONDS): a reader of a public page gets it from memory, with a
 * Content-Security-Policy that allows exactly its scripts by their hashes; the count on it is
 * never more than twice the cache's lifetime old; a signed-in organizer always gets a fresh page.
 *
 *   npm run build && node --import tsx --test tests/page-cache.test.ts
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { chromium } from "@playwright/test";
import { confirmAndCount, getSignatureCounts } from "~/domain/counts";
import { createToken } from "~/domain/tokens";
import { startSession } from "~/domain/organizer-sessions";
import { sessionCookieName } from "~/infra/session-cookie.server";
import { addAttachment, attachmentFileUrl } from "~/domain/attachments";
import { processUpload } from "~/infra/uploads.server";
import { createTestAppeal } from "./support/appeals";
import { phonePhoto } from "./support/attachments";
import { chromiumArgs, findChromium } from "./support/chromium";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";

const cacheSeconds = 1;
let database: TestDatabase;
let baseUrl: string;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
  const { port } = await apps.start("server", {
    DATABASE_URL: database.url,
    RUN_WORKER: "false",
    NODE_ENV: "test",
    SESSION_SECRET: "page-cache-secret-0123456789abcdef0123",
    PAGE_CACHE_SECONDS: String(cacheSeconds),
  });
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

/** The count the page shows, from its progress bar. */
function countOn(html: string): number {
  const value = /data-testid="signature-count"[\s\S]*?<progress [^>]*value="(\d+)"/.exec(html)?.[1];
  assert.ok(value !== undefined, "the page shows a count");
  return Number(value);
}

async function confirmOneMore(appealId: string): Promise<void> {
  const email = `reader-${Math.random().toString(36).slice(2)}@example.org`;
  const signature = await database.db.signature.create({ data: { appealId, fullName: "Cached Reader", email, emailCanonical: email } });
  assert.equal(await confirmAndCount(database.db, signature.id), true);
}

test("a second reader gets the stored page, its scripts allowed by hashes and no nonce left in it", async () => {
  const appeal = await createTestAppeal(database.db);
  const first = await fetch(`${baseUrl}/appeals/${appeal.slug}`);
  const second = await fetch(`${baseUrl}/appeals/${appeal.slug}`);
  assert.equal(second.status, 200);
  assert.ok(second.headers.has("age"), "the second answer comes from the cache and says how old it is");
  const html = await second.text();
  assert.equal(html, await first.text(), "both readers get the same page");
  assert.doesNotMatch(html, /nonce=/, "a stored page carries no nonce for others to reuse");

  const policy = second.headers.get("content-security-policy") ?? "";
  assert.doesNotMatch(policy, /'nonce-/);
  const inlineScripts = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]!).filter(Boolean);
  assert.ok(inlineScripts.length >= 2, "Remix's inline scripts are on the page");
  for (const script of inlineScripts) {
    const source = `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
    assert.ok(policy.includes(source), `the policy allows the inline script starting ${JSON.stringify(script.slice(0, 40))}`);
  }
});

test("the count on a stored page is at most twice the cache's lifetime old", async () => {
  const appeal = await createTestAppeal(database.db);
  const before = countOn(await (await fetch(`${baseUrl}/appeals/${appeal.slug}`)).text());
  await confirmOneMore(appeal.id);
  const confirmedAt = Date.now();
  let shown = before;
  while (shown === before && Date.now() - confirmedAt < 5_000) {
    shown = countOn(await (await fetch(`${baseUrl}/appeals/${appeal.slug}`)).text());
  }
  const ageMs = Date.now() - confirmedAt;
  assert.equal(shown, before + 1);
  assert.ok(ageMs <= 2 * cacheSeconds * 1000 + 500, `the new count showed after ${ageMs} ms`);
});

test("an attachment's image, public for CDNs too, is served byte for byte every time", async () => {
  const appeal = await createTestAppeal(database.db);
  const upload = await processUpload(await phonePhoto({ width: 800, height: 600 }));
  const { id } = await addAttachment(database.db, appeal.id, upload, { altText: "Page 1", caption: null, credit: null, fileName: "page-1.jpg" });
  const display = upload.files.find((file) => file.variant === "display");
  assert.ok(display);
  for (const reader of ["first", "second"]) {
    const answer: Response = await fetch(`${baseUrl}${attachmentFileUrl(id, display)}`, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("content-type"), display.contentType);
    assert.ok(Buffer.from(await answer.arrayBuffer()).equals(display.bytes), `the ${reader} reader gets the image's own bytes`);
  }
});

test("a signed-in organizer is never given a stored page", async () => {
  const appeal = await createTestAppeal(database.db);
  const email = `organizer-${Math.random().toString(36).slice(2)}@organizers.example`;
  const organizer = await database.db.organizer.create({ data: { email, emailCanonical: email, name: "Fresh Eyes", role: "EDITOR" } });
  const { token } = await startSession(database.db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
  const cookie = `${sessionCookieName({ secure: false })}=${token}`;
  await fetch(`${baseUrl}/appeals/${appeal.slug}`); // stored for visitors
  await confirmOneMore(appeal.id);
  const answer = await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { cookie } });
  assert.equal(answer.headers.has("age"), false);
  assert.equal(countOn(await answer.text()), 1, "the organizer sees the confirmation at once");
});

/** A pending signature and the confirmation link its email would carry. */
async function pendingSignatureWithLink(appealId: string, fullName: string): Promise<{ email: string; token: string }> {
  const email = `${fullName.toLowerCase().replace(/\W+/g, ".")}-${Math.random().toString(36).slice(2)}@example.org`;
  const signature = await database.db.signature.create({ data: { appealId, fullName, email, emailCanonical: email, showPublicly: true } });
  const { token, tokenHash } = createToken();
  await database.db.signatureToken.create({ data: { tokenHash, signatureId: signature.id, purpose: "CONFIRM", expiresAt: new Date(Date.now() + 3_600_000) } });
  return { email, token };
}

test("pressing Confirm leads to the appeal's shared confirmed page, the withdraw link only in the address's fragment", async () => {
  const appeal = await createTestAppeal(database.db);
  const signer = await pendingSignatureWithLink(appeal.id, "Dana Withfragment");
  const press = await fetch(`${baseUrl}/confirm/${signer.token}?lang=ru`, { method: "POST", headers: { "Sec-Fetch-Site": "same-origin" }, redirect: "manual" });
  assert.equal(press.status, 303, "the press is answered with a redirect, not a page");
  assert.equal(press.headers.get("cache-control"), "private, no-store");
  const location = press.headers.get("location") ?? "";
  const [address, fragment] = location.split("#");
  assert.equal(address, `/appeals/${appeal.slug}/confirmed?listed=yes&lang=ru`, "the language chosen by the link and whether the name is listed travel in the query");
  const withdrawToken = /^withdraw=([A-Za-z0-9_-]{43})$/.exec(fragment ?? "")?.[1];
  assert.ok(withdrawToken, `the withdraw link's token is in the fragment: ${location}`);
  assert.deepEqual(await getSignatureCounts(database.db, appeal.id), { confirmed: 1, listed: 1 });

  const withdrawPage = await fetch(`${baseUrl}/withdraw/${withdrawToken}`);
  assert.equal(withdrawPage.status, 200);
  assert.match(await withdrawPage.text(), /Dana Withfragment/, "the offered link withdraws this signature");

  // Everyone who confirms lands on the same page; the second reader gets it from the cache.
  const other = await pendingSignatureWithLink(appeal.id, "Eli Second");
  const secondPress = await fetch(`${baseUrl}/confirm/${other.token}`, { method: "POST", headers: { "Sec-Fetch-Site": "same-origin" }, redirect: "manual" });
  assert.match(secondPress.headers.get("location") ?? "", new RegExp(`^/appeals/${appeal.slug}/confirmed\\?listed=yes#withdraw=`));
  const first = await fetch(`${baseUrl}/appeals/${appeal.slug}/confirmed?listed=yes`);
  const second = await fetch(`${baseUrl}/appeals/${appeal.slug}/confirmed?listed=yes`);
  assert.equal(second.status, 200);
  assert.ok(second.headers.has("age"), "the confirmed page comes from the cache");
  const html = await second.text();
  assert.equal(html, await first.text());
  assert.match(html, /Thank you, your signature is confirmed/);
  assert.match(html, /Your name is on the public list/);
  for (const personal of ["Dana Withfragment", signer.email, "Eli Second", other.email, withdrawToken]) assert.ok(!html.includes(personal), `the shared page does not carry ${personal}`);
  const unlisted = await (await fetch(`${baseUrl}/appeals/${appeal.slug}/confirmed?listed=no`)).text();
  assert.match(unlisted, /counted but not shown on the public list/);

  // Opening the link again later leads to the same page, with no withdraw link offered again.
  const reopened = await fetch(`${baseUrl}/confirm/${signer.token}`, { redirect: "manual" });
  assert.ok([302, 303].includes(reopened.status), `reopening redirects (${reopened.status})`);
  assert.equal(reopened.headers.get("location"), `/appeals/${appeal.slug}/confirmed?listed=yes`);
});

test("a page shaped by the visitor's cookie is private; the shared one tells caches it varies by cookie", async () => {
  const appeal = await createTestAppeal(database.db);
  const shared = await fetch(`${baseUrl}/appeals/${appeal.slug}`);
  assert.match(shared.headers.get("cache-control") ?? "", /^public\b/);
  assert.ok(shared.headers.has("cdn-cache-control"));
  const vary = (shared.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());
  for (const name of ["accept-language", "cookie"]) assert.ok(vary.includes(name), `Vary names ${name}: ${vary.join(", ")}`);

  // She chose Russian earlier: the same address answers in Russian, for her alone.
  const chosen = await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { cookie: "lang=ru", "accept-language": "en" } });
  assert.match(await chosen.text(), /<html lang="ru"/);
  assert.equal(chosen.headers.get("cache-control"), "private, no-cache");
  assert.equal(chosen.headers.has("cdn-cache-control"), false);
  const again = await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { cookie: "lang=ru", "accept-language": "en" } });
  assert.ok(again.headers.has("age"), "the web process's own cache still keeps her language's page (keyed by it)");
  assert.equal(again.headers.get("cache-control"), "private, no-cache");

  // A ?lang= address says its language itself: shared caches may keep it.
  const byAddress = await fetch(`${baseUrl}/appeals/${appeal.slug}?lang=ru`, { headers: { cookie: "lang=ru" } });
  assert.match(byAddress.headers.get("cache-control") ?? "", /^public\b/);

  // A signed-in organizer's view of a public page is hers.
  const email = `organizer-${Math.random().toString(36).slice(2)}@organizers.example`;
  const organizer = await database.db.organizer.create({ data: { email, emailCanonical: email, name: "Private View", role: "EDITOR" } });
  const { token } = await startSession(database.db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
  const signedIn = await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { cookie: `${sessionCookieName({ secure: false })}=${token}` } });
  assert.equal(signedIn.headers.get("cache-control"), "private, no-cache");
  assert.equal(signedIn.headers.has("cdn-cache-control"), false);
});

test("in a browser, a stored page runs its scripts without a single policy violation", async () => {
  const browser = findChromium();
  assert.ok("path" in browser, "problem" in browser ? browser.problem : "");
  const appeal = await createTestAppeal(database.db);
  const chromiumBrowser = await chromium.launch({ executablePath: browser.path, args: chromiumArgs });
  try {
    const page = await chromiumBrowser.newPage();
    const complaints: string[] = [];
    page.on("console", (message) => (message.type() === "error" || /Content.Security.Policy/i.test(message.text())) && complaints.push(message.text()));
    page.on("pageerror", (error) => complaints.push(error.message));
    for (const visit of ["first", "stored"]) {
      const answer = await page.goto(`${baseUrl}/appeals/${appeal.slug}`);
      if (visit === "stored") assert.ok(answer?.headers()["age"] !== undefined, "the second visit is served from the cache");
      // Remix's router exists only once its scripts have run and the page has hydrated.
      await page.waitForFunction(() => "__remixRouter" in window, null, { timeout: 10_000 });
    }
    assert.deepEqual(complaints, []);
  } finally {
    await chromiumBrowser.close();
  }
});
