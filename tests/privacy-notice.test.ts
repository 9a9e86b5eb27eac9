/**
 * The privacy notice, the imprint and the withdraw page as the built app serves them, written
 * from the operator's settings passed in the environment.
 *
 *   npm run build && node --import tsx --test tests/privacy-notice.test.ts
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { freePort, requireBuild, startProcess, type Started } from "./support/processes";

const operator = {
  OPERATOR_NAME: "Civic Letters Association",
  OPERATOR_ADDRESS: "c/o Harbour Community Centre\\n12 Harbour Lane\\n4000 Porttown",
  OPERATOR_EMAIL: "office@civic-letters.example",
  PRIVACY_CONTACT_EMAIL: "privacy@civic-letters.example",
  OPERATOR_REGISTER: "Association register no. VR 1234, Porttown District Court",
  OPERATOR_REPRESENTATIVE: "Dana Chair",
  PRIVACY_SUPERVISORY_AUTHORITY: "Porttown Commissioner for Data Protection",
  NETWORK_ADDRESS_RETENTION_DAYS: "14",
};

let database: TestDatabase;
let app: Started;
let dataDir: string;
let baseUrl: string;

before(async () => {
  requireBuild();
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-privacy-"));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  app = startProcess("node", ["build/server.js"], {
    env: { DATABASE_URL: database.url, PORT: String(port), DATA_DIR: dataDir, RUN_WORKER: "false", NODE_ENV: "test", ...operator },
  });
  await app.waitForOutput(/Undersign is running at/);
});

after(async () => {
  await app?.stop();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The page's visible text, roughly: tags dropped, entities for quotes and ampersands decoded. */
async function pageText(response: Response): Promise<string> {
  const html = await response.text();
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ");
}

test("the privacy notice names the operator, how to reach them, the configured days and when a country is named; it sets no cookie", async () => {
  const response = await fetch(`${baseUrl}/privacy`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("set-cookie"), null);
  const text = await pageText(response);
  for (const expected of [
    "This site is run by Civic Letters Association",
    "c/o Harbour Community Centre 12 Harbour Lane 4000 Porttown office@civic-letters.example",
    "For anything about your data, write to privacy@civic-letters.example",
    "Your network address and browser identification: 14 days after you sign",
    "The authority responsible for the operator: Porttown Commissioner for Data Protection.",
    // The same rule as the signers page and the API, from the same constant.
    "A country is named only once 5 signers have given it",
  ]) {
    assert.ok(text.includes(expected), `the notice says: ${expected}`);
  }
});

test("the imprint names the operator, register and representative; every page links to it", async () => {
  const text = await pageText(await fetch(`${baseUrl}/imprint`));
  for (const expected of ["Civic Letters Association", "4000 Porttown", "Association register no. VR 1234, Porttown District Court", "Represented by Dana Chair", "privacy@civic-letters.example"]) {
    assert.ok(text.includes(expected), `the imprint says: ${expected}`);
  }
  assert.match(await (await fetch(`${baseUrl}/`)).text(), /<a [^>]*href="\/imprint"/);
});

test("a withdraw link that does not work gets a private, unindexed 404 naming the privacy contact, never a 500", async () => {
  for (const token of ["nonsense", "A".repeat(43), "%E2%80%AE", "x".repeat(2000)]) {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(`${baseUrl}/withdraw/${token}`, { method, headers: { "Sec-Fetch-Site": "same-origin" } });
      assert.equal(response.status, 404, `${method} /withdraw/${token.slice(0, 12)}`);
      assert.equal(response.headers.get("cache-control"), "private, no-store");
      const html = await response.text();
      assert.match(html, /<meta name="robots" content="noindex"/);
      assert.ok(html.includes("privacy@civic-letters.example"));
    }
  }
});
