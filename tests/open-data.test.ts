/**
 * The open data as other sites and programs meet it, through the built app: the JSON API under
 * /api and its OpenAPI description, the Atom feed of new appeals, the count badge, and the
 * search and country breakdown of the public signers page.
 *
 *   npm run build && node --import tsx --test tests/open-data.test.ts
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { validate as validateOpenApi } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { confirmAndCount } from "~/domain/counts";
import type { Database } from "~/infra/db.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";

let database: TestDatabase;
let baseUrl: string;
const processes = builtProcesses();

before(async () => {
  database = await createTestDatabase();
  const { port } = await processes.start("server", {
    DATABASE_URL: database.url,
    RUN_WORKER: "false",
    NODE_ENV: "test",
    // Every answer freshly made: these tests read counts right after changing them.
    PAGE_CACHE_SECONDS: "0",
  });
  // PUBLIC_URL's default outside production.
  baseUrl = `http://localhost:${port}`;
});

after(async () => {
  await processes.stopAll();
  await database?.drop();
});

type Signer = {
  name: string;
  listed?: boolean;
  hidden?: boolean;
  country?: string | null;
  city?: string | null;
  role?: string | null;
  /** Left pending (not confirmed) when false. */
  confirmed?: boolean;
  confirmedAt?: string;
};

let serial = 0;
/** Signatures as signing and confirming leave them (counted in the counters), each with an email and a network address. */
async function sign(db: Database, appealId: string, signers: Signer[]): Promise<{ emails: string[] }> {
  const emails: string[] = [];
  for (const signer of signers) {
    serial += 1;
    const email = `open-data-signer-${serial}@private-mail.example`;
    emails.push(email);
    const signature = await db.signature.create({
      data: {
        appealId,
        fullName: signer.name,
        email,
        emailCanonical: email,
        role: signer.role ?? null,
        city: signer.city ?? null,
        country: signer.country === undefined ? "DE" : signer.country,
        showPublicly: signer.listed ?? true,
        hiddenAt: signer.hidden ? new Date() : null,
        networkAddress: `203.0.113.${serial % 250}`,
        status: "PENDING",
      },
      select: { id: true },
    });
    if (signer.confirmed === false) continue;
    assert.equal(await confirmAndCount(db, signature.id), true);
    if (signer.confirmedAt) await db.signature.update({ where: { id: signature.id }, data: { confirmedAt: new Date(signer.confirmedAt) } });
  }
  return { emails };
}

async function get(address: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(address, baseUrl), { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

type OpenApiDocument = {
  paths: Record<string, Record<string, { parameters?: unknown[]; responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: unknown;
};

/** A validator for each response schema of the served document, its $refs resolved inside it. */
function schemaChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "https://undersign.test/openapi.json", components: document.components });
  return (schema: unknown, body: unknown): string[] => {
    const check = ajv.compile({ $id: `https://undersign.test/check-${Math.random()}`, ...(schema as object) });
    // $refs in the document point into it: resolve them against the document's own $id.
    if (check(body)) return [];
    return (check.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
  };
}

/** The document's own $refs ("#/components/…") made absolute, so a schema can be checked on its own. */
function absoluteRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"https://undersign.test/openapi.json#/'));
}

describe("the open-data API", () => {
  test("the OpenAPI document is valid, and every documented route answers with a documented status and a body matching its schema", async () => {
    const appeal = await createTestAppeal(database.db, { signatureGoal: 500 });
    await sign(database.db, appeal.id, [
      { name: "Ada Listed", city: "Leeds", country: "GB" },
      { name: "Bo Unlisted", listed: false, country: null },
      { name: "Cy Listed", role: "nurse" },
    ]);

    const served = await get("/api/openapi.json");
    assert.equal(served.status, 200);
    const document = served.json() as unknown as OpenApiDocument;
    // A maintained validator: the document is OpenAPI 3.1 and its schemas are sound.
    const validation = await validateOpenApi(structuredClone(document) as never);
    assert.equal(validation.valid, true, JSON.stringify(validation));

    const checkBody = schemaChecker(document);
    const slug = appeal.slug;
    const firstSigners = (await get(`/api/appeals/${slug}/signers?limit=1`)).json();
    // Each documented path, asked the way that gives each documented status (304 aside, checked below).
    const requests: { path: string; address: string; status: number }[] = [
      { path: "/api/appeals", address: "/api/appeals", status: 200 },
      { path: "/api/appeals", address: "/api/appeals?lang=not a language", status: 400 },
      { path: "/api/appeals/{slug}", address: `/api/appeals/${slug}`, status: 200 },
      { path: "/api/appeals/{slug}", address: `/api/appeals/${slug}?lang=%3Cx%3E`, status: 400 },
      { path: "/api/appeals/{slug}", address: "/api/appeals/no-such-appeal", status: 404 },
      { path: "/api/appeals/{slug}/countries", address: `/api/appeals/${slug}/countries`, status: 200 },
      { path: "/api/appeals/{slug}/countries", address: "/api/appeals/no-such-appeal/countries", status: 404 },
      { path: "/api/appeals/{slug}/signers", address: `/api/appeals/${slug}/signers`, status: 200 },
      { path: "/api/appeals/{slug}/signers", address: `/api/appeals/${slug}/signers?limit=1&cursor=${String(firstSigners.nextCursor)}`, status: 200 },
      { path: "/api/appeals/{slug}/signers", address: `/api/appeals/${slug}/signers?limit=0`, status: 400 },
      { path: "/api/appeals/{slug}/signers", address: `/api/appeals/${slug}/signers?limit=ten`, status: 400 },
      { path: "/api/appeals/{slug}/signers", address: `/api/appeals/${slug}/signers?cursor=made-up`, status: 400 },
      { path: "/api/appeals/{slug}/signers", address: "/api/appeals/No%00Such/signers", status: 404 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=hour`, status: 200 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=day`, status: 200 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=day&from=2026-05-01&to=2026-05-31`, status: 200 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=week`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?from=yesterday`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?from=2026-02-30`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=hour&from=2026-06-01T24:00Z`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?from=2026-06-02&to=2026-06-01`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: `/api/appeals/${slug}/count-series?interval=hour&from=2026-01-01&to=2026-12-31`, status: 400 },
      { path: "/api/appeals/{slug}/count-series", address: "/api/appeals/no-such-appeal/count-series", status: 404 },
      { path: "/api/openapi.json", address: "/api/openapi.json", status: 200 },
    ];
    const documentedPaths = Object.keys(document.paths);
    assert.deepEqual([...new Set(requests.map((request) => request.path))].sort(), [...documentedPaths].sort(), "every documented path is asked");

    for (const request of requests) {
      const answer = await get(request.address);
      const operation = document.paths[request.path]?.get;
      const response = operation?.responses?.[String(answer.status)];
      assert.equal(answer.status, request.status, `${request.address}: ${answer.text.slice(0, 200)}`);
      assert.ok(response, `${request.address} answered ${answer.status}, which ${request.path} does not document`);
      assert.match(answer.headers.get("content-type") ?? "", /^application\/json/, request.address);
      assert.equal(answer.headers.get("access-control-allow-origin"), "*", `${request.address} is open to every origin`);
      const schema = response.content?.["application/json"]?.schema;
      assert.ok(schema, `${request.path} ${answer.status} has a schema`);
      assert.deepEqual(checkBody(absoluteRefs(schema), answer.json()), [], `${request.address} matches its schema`);
      if (answer.status >= 400) {
        assert.match(String((answer.json().error as { message: string }).message), /\w/, `${request.address} says what is wrong`);
        assert.equal(answer.headers.get("cache-control"), "no-store");
      } else {
        assert.match(answer.headers.get("cache-control") ?? "", /^public, max-age=1\b/);
      }
    }

    // An address under /api that names nothing is a JSON 404 too, not the site's HTML page.
    const nowhere = await get("/api/nothing-here");
    assert.equal(nowhere.status, 404);
    assert.match(String((nowhere.json().error as { message: string }).message), /openapi\.json/);
  });

  test("CORS: GET is open to every origin and a preflight for GET is answered 204", async () => {
    const appeal = await createTestAppeal(database.db);
    const answer = await get(`/api/appeals/${appeal.slug}`, { Origin: "https://newsroom.example" });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("access-control-allow-origin"), "*");
    // Without this, helmet's default (same-origin) keeps other sites from embedding the answers.
    assert.equal(answer.headers.get("cross-origin-resource-policy"), "cross-origin");

    const preflight = await fetch(new URL(`/api/appeals/${appeal.slug}/signers?limit=5`, baseUrl), {
      method: "OPTIONS",
      headers: { Origin: "https://newsroom.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /\bGET\b/);
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /if-none-match/i);
  });

  test("the API and the badge report the new count after a confirmation; an unchanged answer is a 304", async () => {
    const appeal = await createTestAppeal(database.db, { signatureGoal: 5000 });
    await sign(database.db, appeal.id, Array.from({ length: 3 }, (_, index) => ({ name: `Early ${index}` })));

    const before = await get(`/api/appeals/${appeal.slug}`);
    assert.equal(before.json().count, 3);
    const badgeBefore = await get(`/appeals/${appeal.slug}/badge.svg`);
    assert.equal(badgeBefore.status, 200);
    assert.match(badgeBefore.headers.get("content-type") ?? "", /^image\/svg\+xml/);
    assert.match(badgeBefore.text, />3 signatures</);
    assert.match(badgeBefore.headers.get("cache-control") ?? "", /^public, max-age=5\b/);
    assert.equal(badgeBefore.headers.get("cross-origin-resource-policy"), "cross-origin", "other sites may embed it");
    const etag = badgeBefore.headers.get("etag");
    assert.ok(etag);
    const unchanged = await get(`/appeals/${appeal.slug}/badge.svg`, { "If-None-Match": etag });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.text, "");
    const apiUnchanged = await get(`/api/appeals/${appeal.slug}`, { "If-None-Match": before.headers.get("etag") ?? "" });
    assert.equal(apiUnchanged.status, 304);

    await sign(database.db, appeal.id, [{ name: "Latecomer" }]);

    assert.equal((await get(`/api/appeals/${appeal.slug}`)).json().count, 4);
    const listed = (await get("/api/appeals")).json().appeals as { slug: string; count: number }[];
    assert.equal(listed.find((entry) => entry.slug === appeal.slug)?.count, 4);
    const series = (await get(`/api/appeals/${appeal.slug}/count-series?interval=hour`)).json() as { buckets: { total: number }[] };
    assert.equal(series.buckets.at(-1)?.total, 4);
    const badgeAfter = await get(`/appeals/${appeal.slug}/badge.svg`, { "If-None-Match": etag });
    assert.equal(badgeAfter.status, 200, "the held copy is out of date");
    assert.match(badgeAfter.text, />4 signatures</);
  });

  test("the badge's text is escaped, its width follows its text, and it groups thousands", async () => {
    const appeal = await createTestAppeal(database.db, {
      translations: [{ locale: "en", title: `Stop <script>alert("x")</script> & "friends"`, body: "Text." }],
    });
    const small = await get(`/appeals/${appeal.slug}/badge.svg`);
    assert.ok(XMLValidator.validate(small.text) === true, "the badge is well-formed XML");
    assert.doesNotMatch(small.text, /<script>/);
    assert.match(small.text, /&lt;script&gt;/);
    assert.match(small.text, /No signatures yet|0 signatures/);
    const smallWidth = Number(/<svg[^>]* width="(\d+)"/.exec(small.text)?.[1]);

    await database.db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: 1234, listed: 0 } });
    const large = await get(`/appeals/${appeal.slug}/badge.svg`);
    assert.match(large.text, />1,234 signatures</);
    const largeWidth = Number(/<svg[^>]* width="(\d+)"/.exec(large.text)?.[1]);
    assert.ok(largeWidth > 60 && smallWidth > 60 && largeWidth !== smallWidth, `widths ${smallWidth} and ${largeWidth} follow the text`);

    assert.equal((await get("/appeals/no-such-appeal/badge.svg")).status, 404);
  });

  test("no API answer holds an email address, a network address or a signer who chose not to be listed", async () => {
    const appeal = await createTestAppeal(database.db);
    const { emails } = await sign(database.db, appeal.id, [
      { name: "Visible Person", city: "Turku", country: "FI", role: "teacher" },
      { name: "Secret Person", listed: false, city: "Secretville" },
      { name: "Hidden Person", hidden: true },
      { name: "Pending Person", confirmed: false },
    ]);
    const slug = appeal.slug;
    const answers = await Promise.all(
      ["/api/appeals", `/api/appeals/${slug}`, `/api/appeals/${slug}/countries`, `/api/appeals/${slug}/signers`, `/api/appeals/${slug}/signers?q=person`, `/api/appeals/${slug}/count-series?interval=hour`, `/api/appeals/${slug}/count-series?interval=day`].map((address) => get(address)),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      for (const email of emails) assert.ok(!answer.text.includes(email), "no signer's email");
      assert.ok(!answer.text.includes("@"), "no email address at all (the publisher's neither)");
      assert.doesNotMatch(answer.text, /203\.0\.113\./, "no network address");
      assert.doesNotMatch(answer.text, /Secret Person|Secretville|Hidden Person|Pending Person/);
    }
    const signers = (await get(`/api/appeals/${slug}/signers`)).json().signers as { name: string }[];
    assert.deepEqual(
      signers.map((signer) => signer.name),
      ["Visible Person"],
    );
  });

  test("the signer list pages with a cursor; the countries and the count series add up", async () => {
    const appeal = await createTestAppeal(database.db, { publishedAt: new Date("2026-06-01T08:00:00Z") });
    await sign(database.db, appeal.id, [
      { name: "One", country: "KZ", confirmedAt: "2026-06-01T09:10:00Z" },
      { name: "Two", country: "KZ", confirmedAt: "2026-06-01T09:50:00Z" },
      { name: "Three", country: null, confirmedAt: "2026-06-03T12:00:00Z" },
      { name: "Four", country: "UA", listed: false, confirmedAt: "2026-06-03T13:00:00Z" },
    ]);
    const slug = appeal.slug;

    const names: string[] = [];
    let address = `/api/appeals/${slug}/signers?limit=2`;
    for (let pages = 0; pages < 5; pages++) {
      const page = (await get(address)).json() as { signers: { name: string }[]; nextCursor: string | null };
      names.push(...page.signers.map((signer) => signer.name));
      if (!page.nextCursor) break;
      address = `/api/appeals/${slug}/signers?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    assert.deepEqual(names, ["Three", "Two", "One"]);

    // Too few to name a country (see the breakdown test below): only "not given" stands alone.
    const countries = (await get(`/api/appeals/${slug}/countries`)).json();
    assert.deepEqual(countries.countries, [{ code: null, name: null, count: 1 }]);
    assert.deepEqual(countries.otherCountries, { count: 3, eachFewerThan: 5 });

    const days = (await get(`/api/appeals/${slug}/count-series?interval=day&from=2026-06-01&to=2026-06-04`)).json();
    assert.deepEqual(
      (days.buckets as { start: string; confirmations: number; total: number }[]).map((bucket) => [bucket.start.slice(0, 10), bucket.confirmations, bucket.total]),
      [
        ["2026-06-01", 2, 2],
        ["2026-06-02", 0, 2],
        ["2026-06-03", 2, 4],
        ["2026-06-04", 0, 4],
      ],
    );
    assert.equal(days.from, "2026-06-01T00:00:00.000Z");
    assert.equal(days.to, "2026-06-05T00:00:00.000Z");
    // A span starting after some signatures: the total carries what came before.
    const hours = (await get(`/api/appeals/${slug}/count-series?interval=hour&from=2026-06-03T11:30:00Z&to=2026-06-03T13:00:00Z`)).json();
    assert.deepEqual(
      (hours.buckets as { start: string; confirmations: number; total: number }[]).map((bucket) => [bucket.start, bucket.confirmations, bucket.total]),
      [
        ["2026-06-03T11:00:00.000Z", 0, 2],
        ["2026-06-03T12:00:00.000Z", 1, 3],
        ["2026-06-03T13:00:00.000Z", 1, 4],
      ],
    );
  });
});

describe("the Atom feed of new appeals", () => {
  test("is well-formed Atom 1.0 with the newest appeals, escaped, and the home page links to it", async () => {
    const tricky = await createTestAppeal(database.db, {
      publishedAt: new Date("2026-07-01T10:00:00Z"),
      translations: [{ locale: "en", title: `Parks & <b>"trees"</b> for all`, summary: "Less <traffic> & more shade\u0007.", body: "Text." }],
    });
    await createTestAppeal(database.db, { status: "DRAFT", publishedAt: null, translations: [{ locale: "en", title: "A draft nobody may see", body: "Draft." }] });

    const feed = await get("/appeals.atom");
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get("content-type") ?? "", /^application\/atom\+xml/);
    assert.equal(feed.headers.get("access-control-allow-origin"), "*");
    assert.equal(XMLValidator.validate(feed.text), true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" }).parse(feed.text) as {
      feed: { "@xmlns": string; id: string; title: string; updated: string; author: { name: string }; link: { "@rel": string; "@href": string }[]; entry: { id: string; title: string; summary?: string; updated: string; link: { "@href": string } }[] };
    };
    assert.equal(parsed.feed["@xmlns"], "http://www.w3.org/2005/Atom");
    // RFC 4287: a feed has an id, a title, updated, an author (or every entry has one) and a self link.
    assert.ok(parsed.feed.id && parsed.feed.title && parsed.feed.updated && parsed.feed.author.name);
    assert.ok(parsed.feed.link.some((link) => link["@rel"] === "self" && link["@href"] === `${baseUrl}/appeals.atom`));
    const entries = Array.isArray(parsed.feed.entry) ? parsed.feed.entry : [parsed.feed.entry];
    const entry = entries.find((candidate) => candidate.id === `${baseUrl}/appeals/${tricky.slug}`);
    assert.ok(entry, "the published appeal is in the feed");
    assert.equal(entry.title, `Parks & <b>"trees"</b> for all`);
    assert.equal(entry.summary, "Less <traffic> & more shade.");
    assert.equal(entry.link["@href"], `${baseUrl}/appeals/${tricky.slug}`);
    assert.ok(!feed.text.includes("A draft nobody may see"));
    for (const candidate of entries) assert.ok(!Number.isNaN(Date.parse(candidate.updated)));

    const home = await get("/");
    assert.match(home.text, /<link rel="alternate" type="application\/atom\+xml" href="\/appeals\.atom" title="[^"]+"\/?>/);
  });
});

describe("the public signers page", () => {
  test("its search finds listed signers by name, role or city, never an unlisted, hidden or pending one", async () => {
    const appeal = await createTestAppeal(database.db);
    await sign(database.db, appeal.id, [
      { name: "Marta Kowalska", role: "midwife", city: "Gdańsk", country: "PL" },
      { name: "Marta Secret", listed: false, city: "Gdańsk" },
      { name: "Marta Hidden", hidden: true },
      { name: "Marta Pending", confirmed: false },
      { name: "Jonas 100% Sure", city: "Vilnius", country: "LT" },
      { name: "Jonas Other", city: "Kaunas", country: "LT" },
    ]);
    const page = async (query: string) => {
      const answer = await get(`/appeals/${appeal.slug}/signers?${query}`);
      assert.equal(answer.status, 200);
      return answer.text;
    };

    const byName = await page("q=marta");
    assert.match(byName, /Marta Kowalska/);
    assert.doesNotMatch(byName, /Marta Secret|Marta Hidden|Marta Pending/);
    assert.match(await page("q=MIDWIFE"), /Marta Kowalska/, "by role, whatever the case");
    const byCity = await page("q=gda%C5%84sk");
    assert.match(byCity, /Marta Kowalska/);
    assert.doesNotMatch(byCity, /Marta Secret/);
    const twoWords = await page("q=jonas+vilnius");
    assert.match(twoWords, /Jonas 100% Sure/);
    assert.doesNotMatch(twoWords, /Jonas Other/);
    // % is a letter like any other, not a wildcard.
    const percent = await page("q=100%25");
    assert.match(percent, /Jonas 100% Sure/);
    assert.doesNotMatch(percent, /Jonas Other|Marta/);
    const nobody = await page("q=secret");
    assert.doesNotMatch(nobody, /Marta Secret/);
    assert.match(nobody, /No listed signer matches/);
    // The form works without JavaScript: a GET form whose field is q.
    assert.match(await page(""), /<form method="get"[^>]*>[\s\S]*name="q"/);

    const api = (await get(`/api/appeals/${appeal.slug}/signers?q=marta`)).json().signers as { name: string }[];
    assert.deepEqual(
      api.map((signer) => signer.name),
      ["Marta Kowalska"],
    );
  });

  test("shows where signers come from, as a table and a chart drawn on the server, naming only countries with 5 signatures or more", async () => {
    const appeal = await createTestAppeal(database.db);
    const from = (country: string | null, count: number, listed = true) => Array.from({ length: count }, (_, index) => ({ name: `${country ?? "Nowhere"} ${index}`, country, listed }));
    await sign(database.db, appeal.id, [...from("NO", 10), ...from("SE", 4), ...from("SE", 1, false), ...from("FI", 1), ...from("DK", 1, false), ...from(null, 1)]);
    const html = (await get(`/appeals/${appeal.slug}/signers`)).text;
    const breakdown = /<section aria-labelledby="countries-heading"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    assert.match(breakdown, /Where signers come from/);
    // Bars to scale: the most common country fills the line, one with half as many half of it.
    assert.match(breakdown, /<div class="country-bars" role="img"/);
    assert.match(breakdown, /<span class="country-bar-name">Norway<\/span><span class="country-bar-line"><span class="country-bar-fill" style="--share:1">/);
    assert.match(breakdown, /<span class="country-bar-name">Sweden<\/span><span class="country-bar-line"><span class="country-bar-fill" style="--share:0.5">/);
    assert.match(breakdown, /<span class="country-bar-name">Other countries<\/span><span class="country-bar-line"><span class="country-bar-fill" style="--share:0.2">/);
    assert.match(breakdown, /<td>Norway<\/td><td class="numeric">10<\/td><td class="numeric">55.6%<\/td>/);
    // Five signers, one of them unlisted: enough to be named.
    assert.match(breakdown, /<td>Sweden<\/td><td class="numeric">5<\/td>/);
    assert.match(breakdown, /<td>Not given<\/td><td class="numeric">1<\/td>/);
    // One signer each from Finland (listed) and Denmark (not listed): counted, never named.
    assert.match(breakdown, /<td>Countries with fewer than 5 signatures each<\/td><td class="numeric">2<\/td>/);
    assert.doesNotMatch(breakdown, /Finland|Denmark/);
    assert.match(breakdown, /A country is named here once 5 signers have given it/);

    const api = (await get(`/api/appeals/${appeal.slug}/countries`)).json();
    assert.deepEqual(api.countries, [
      { code: "NO", name: "Norway", count: 10 },
      { code: "SE", name: "Sweden", count: 5 },
      { code: null, name: null, count: 1 },
    ]);
    assert.deepEqual(api.otherCountries, { count: 2, eachFewerThan: 5 });
    assert.equal(api.count, 18);
    assert.doesNotMatch(JSON.stringify(api), /FI|DK|Finland|Denmark/);
  });
});
