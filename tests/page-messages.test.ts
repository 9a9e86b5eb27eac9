/**
 * A reader's messages travel as a script the browser keeps (i18n/public-messages.ts), not in
 * every page: pages stay small and the catalog is downloaded once.
 *
 *   npm run build && node --import tsx --test tests/page-messages.test.ts
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kk } from "~/i18n/messages.kk";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";

let database: TestDatabase;
const apps = builtProcesses();
let origin: string;

before(async () => {
  database = await createTestDatabase();
  const { port } = await apps.start("server", { DATABASE_URL: database.url, RUN_WORKER: "false", NODE_ENV: "test", PAGE_CACHE_SECONDS: "0" });
  origin = `http://127.0.0.1:${port}`;
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

test("a page names its language's messages script instead of carrying the catalog, and the script is kept for good", async () => {
  const appeal = await createTestAppeal(database.db);
  const page = await fetch(`${origin}/appeals/${appeal.slug}`, { headers: { "Accept-Language": "kk", Accept: "text/html" } });
  assert.equal(page.status, 200);
  const html = await page.text();
  const path = /<script id="page-messages" src="(\/messages\/kk\.[A-Za-z0-9_-]{12}\.js)"/.exec(html)?.[1];
  assert.ok(path, "the page loads the Kazakh messages");
  // A message no appeal page shows: only a catalog in the page's data would hold it.
  assert.ok(!html.includes(kk["errorPage.unavailableBody"]), "the page does not carry the catalog");

  const script = await fetch(`${origin}${path}`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.equal(script.headers.get("cache-control"), "public, max-age=31536000, immutable");
  const body = await script.text();
  assert.ok(body.startsWith("window.__undersignMessages="));
  const loaded = JSON.parse(body.slice("window.__undersignMessages=".length).replace(/;\n$/, "")) as { version: string; messages: Record<string, unknown> };
  assert.equal(`/messages/${loaded.version}.js`, path);
  assert.equal(loaded.messages["errorPage.unavailableBody"], kk["errorPage.unavailableBody"]);
  assert.equal(loaded.messages["organize.title"], undefined, "the organizer area's messages are not public");
  assert.equal(loaded.messages["email.confirm.subject"], undefined, "emails' messages stay on the server");
});

test("a page from before a release gets the current messages, not to be kept; made-up names are 404s", async () => {
  const outdated = await fetch(`${origin}/messages/kk.AAAAAAAAAAAA.js`);
  assert.equal(outdated.status, 200);
  assert.equal(outdated.headers.get("cache-control"), "no-cache");
  assert.match(await outdated.text(), /^window\.__undersignMessages=/);
  for (const name of ["xx.AAAAAAAAAAAA.js", "kk.js", "kk.AAAAAAAAAAAA.json", "..%2Fpackage.json", "kk.AAAAAAAAAAAA.js%00"]) {
    const response = await fetch(`${origin}/messages/${name}`);
    assert.equal(response.status, 404, name);
  }
});
