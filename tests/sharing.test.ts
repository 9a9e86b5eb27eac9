/**
 * Sharing and embedding, as a person sharing an appeal and the sites they share it on would
 * meet it: the share image (a real 1200×630 PNG whose count follows confirmations), QR codes
 * that a phone reads back as the appeal's address, the embed that other sites may frame while
 * no other page may be framed, and share links that carry the address and no one else's scripts.
 *
 *   npm run build && node --import tsx --test tests/sharing.test.ts
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Resvg } from "@resvg/resvg-js";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { confirmAndCount } from "~/domain/counts";
import { appealSharePaths, embedSnippet, isMadeForOtherSites, mayBeFramedByOtherSites, shareLinks } from "~/domain/sharing";
import { createShareImageCache, renderShareImage, type ShareCard } from "~/infra/share-image.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { builtProcesses } from "./support/processes";

const publicUrl = "https://sign.example.org";
let database: TestDatabase;
let baseUrl: string;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
  const { port } = await apps.start("server", {
    DATABASE_URL: database.url,
    RUN_WORKER: "false",
    NODE_ENV: "test",
    PUBLIC_URL: publicUrl,
    SESSION_SECRET: "sharing-test-secret-0123456789abcdef0123",
  });
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await apps.stopAll();
  await database.drop();
});

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's first chunk (IHDR), after checking the file is a PNG at all. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual(bytes.subarray(0, 8), pngSignature, "the PNG signature");
  assert.equal(bytes.subarray(12, 16).toString("latin1"), "IHDR", "IHDR comes first");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** What a phone camera would read from a PNG of a QR code. */
function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

async function confirmOneMore(appealId: string): Promise<void> {
  const email = `sharer-${Math.random().toString(36).slice(2)}@example.org`;
  const signature = await database.db.signature.create({ data: { appealId, fullName: "Sharing Reader", email, emailCanonical: email } });
  assert.equal(await confirmAndCount(database.db, signature.id), true);
}

async function get(path: string): Promise<{ response: Response; bytes: Buffer }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe("the share image", () => {
  test("is a 1200×630 PNG, cached briefly in public, and a new confirmation changes it", async () => {
    const appeal = await createTestAppeal(database.db);
    const path = appealSharePaths(appeal.slug).shareImage;
    const first = await get(path);
    assert.equal(first.response.status, 200);
    assert.equal(first.response.headers.get("content-type"), "image/png");
    assert.deepEqual(pngSize(first.bytes), { width: 1200, height: 630 });
    assert.match(first.response.headers.get("cache-control") ?? "", /^public, max-age=\d{1,3}$/);

    const again = await get(path);
    assert.ok(again.bytes.equals(first.bytes), "the same appeal and count: the same image");

    await confirmOneMore(appeal.id);
    const afterConfirming = await get(path);
    assert.deepEqual(pngSize(afterConfirming.bytes), { width: 1200, height: 630 });
    assert.ok(!afterConfirming.bytes.equals(first.bytes), "the count on the image follows the confirmation");
  });

  test("draws Cyrillic and the Kazakh letters, not empty boxes", async () => {
    const card = (title: string): ShareCard => ({ lang: "kk", title, countText: "12 signatures", goalText: "of 100", progress: 0.12, publisherText: "Published by Test", siteText: "Undersign" });
    // A letter the fonts lack is drawn as the same box whatever it is: two titles of different
    // missing letters would give the same picture.
    const kazakh = await renderShareImage(card("Қәғ ңөұ үһ"));
    const otherKazakh = await renderShareImage(card("Үһң ғәө құ"));
    assert.ok(!kazakh.equals(otherKazakh), "the Kazakh letters are drawn as themselves");
    const russian = await renderShareImage(card("Жизнь"));
    const otherRussian = await renderShareImage(card("Шкафы"));
    assert.ok(!russian.equals(otherRussian), "Cyrillic letters are drawn as themselves");
  });

  test("a render costs tens of milliseconds; the cache keeps the most recently used images and no more", async (t) => {
    const card: ShareCard = { lang: "en", title: "Keep the Aldermere Library open six days a week", countText: "1,234 signatures", goalText: "of 5,000", progress: 0.25, publisherText: "Published by Friends of Aldermere Library", siteText: "Undersign · sign.example.org" };
    // A figure to read, not a limit: timing depends on the machine and what else runs on it.
    const timings: string[] = [];
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await renderShareImage({ ...card, countText: `${1234 + round} signatures` });
      const used = process.cpuUsage(cpu);
      timings.push(`${(performance.now() - started).toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`);
    }
    t.diagnostic(`share image renders after the first: ${timings.join(", ")}`);

    const rendered: string[] = [];
    const cache = createShareImageCache({ maxImages: 2, render: async (c) => (rendered.push(c.countText), Buffer.from(c.countText)) });
    const withCount = (countText: string) => ({ ...card, countText });
    await cache.imageFor(withCount("1"));
    await cache.imageFor(withCount("2"));
    await cache.imageFor(withCount("1")); // used again: now the newest
    await cache.imageFor(withCount("3")); // "2" goes
    await cache.imageFor(withCount("1"));
    await cache.imageFor(withCount("2"));
    assert.deepEqual(rendered, ["1", "2", "3", "2"]);
  });

  test("is not there for drafts, unknown or malformed slugs: 404, never 500", async () => {
    const draft = await createTestAppeal(database.db, { status: "DRAFT" });
    for (const path of [`/appeals/${draft.slug}/share.png`, "/appeals/no-such-appeal/share.png", "/appeals/%00%ff/share.png", `/appeals/${"a".repeat(500)}/share.png`, `/appeals/${draft.slug}/qr.png`, `/appeals/${draft.slug}/qr.svg`, `/appeals/${draft.slug}/embed`, `/appeals/${draft.slug}/flyer`]) {
      const { response } = await get(path);
      assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
    }
    const appeal = await createTestAppeal(database.db);
    const odd = await get(`${appealSharePaths(appeal.slug).shareImage}?lang=%00<script>`);
    assert.equal(odd.response.status, 200, "an unknown language falls back to the appeal's own");
  });
});

describe("QR codes", () => {
  test("the PNG and the SVG both read back as the appeal's public address", async () => {
    const appeal = await createTestAppeal(database.db);
    const paths = appealSharePaths(appeal.slug);
    const address = `${publicUrl}/appeals/${appeal.slug}`;

    const png = await get(paths.qrPng);
    assert.equal(png.response.status, 200);
    assert.equal(png.response.headers.get("content-type"), "image/png");
    pngSize(png.bytes);
    assert.equal(decodeQr(png.bytes), address);

    const svg = await get(paths.qrSvg);
    assert.equal(svg.response.status, 200);
    assert.match(svg.response.headers.get("content-type") ?? "", /^image\/svg\+xml/);
    const svgText = svg.bytes.toString("utf8");
    assert.match(svgText, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svgText, /<script|on\w+=/i, "nothing in the SVG runs");
    const drawn = Buffer.from(new Resvg(svgText, { fitTo: { mode: "width", value: 400 } }).render().asPng());
    assert.equal(decodeQr(drawn), address);
  });
});

/** The frame-related headers of an answer. */
function framing(response: Response) {
  const csp = response.headers.get("content-security-policy") ?? "";
  return {
    frameAncestors: /frame-ancestors ([^;]+)/.exec(csp)?.[1] ?? null,
    xFrameOptions: response.headers.get("x-frame-options"),
    resourcePolicy: response.headers.get("cross-origin-resource-policy"),
  };
}

describe("framing", () => {
  test("the embed may be framed by any site and loaded by any; it has no scripts and opens the appeal in a new tab", async () => {
    const appeal = await createTestAppeal(database.db, { signatureGoal: 200 });
    await confirmOneMore(appeal.id);
    const { response, bytes } = await get(appealSharePaths(appeal.slug).embed);
    assert.equal(response.status, 200);
    assert.deepEqual(framing(response), { frameAncestors: "*", xFrameOptions: null, resourcePolicy: "cross-origin" });
    const html = bytes.toString("utf8");
    assert.ok(html.includes(appeal.title.replace(/&/g, "&amp;")), "the title");
    assert.match(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "), /1 signature\b/);
    assert.match(html, /<progress [^>]*max="200"[^>]*value="1"/);
    const sign = /<a ([^>]*)class="button"[^>]*>Sign this appeal/.exec(html)?.[1] ?? "";
    assert.ok(sign.includes(`href="${publicUrl}/appeals/${appeal.slug}"`), sign);
    assert.ok(sign.includes('target="_blank"') && sign.includes('rel="noopener"'), sign);
    assert.doesNotMatch(html, /<script/i, "no scripts in someone else's page");
    assert.doesNotMatch(html, /<form/i, "no form in a frame");
    assert.doesNotMatch(html, /site-header|site-footer/, "no site header or footer in the frame");
  });

  test("no other page may be framed: the appeal, its flyer and thanks pages, the home page, sign-in", async () => {
    const appeal = await createTestAppeal(database.db);
    const paths = appealSharePaths(appeal.slug);
    for (const path of [paths.page, paths.flyer, `${paths.page}/thanks`, `${paths.page}/signers`, "/", "/sign-in", "/organize", `${paths.embed}ded`, `${paths.embed}/x`, "/no-such-page"]) {
      const response = await fetch(`${baseUrl}${path}`, { redirect: "manual" });
      await response.arrayBuffer();
      const headers = framing(response);
      assert.equal(headers.frameAncestors, "'none'", `${path} (${response.status}): frame-ancestors`);
      assert.equal(headers.xFrameOptions, "DENY", `${path}: X-Frame-Options`);
      assert.equal(headers.resourcePolicy, "same-origin", `${path}: Cross-Origin-Resource-Policy`);
    }
    for (const path of [paths.shareImage, paths.qrPng, paths.qrSvg]) {
      const response = await fetch(`${baseUrl}${path}`);
      await response.arrayBuffer();
      assert.equal(framing(response).resourcePolicy, "cross-origin", `${path} may be shown on other sites`);
    }
  });

  test("which paths are the embed's is decided by one rule", () => {
    assert.equal(mayBeFramedByOtherSites("/appeals/some-appeal/embed"), true);
    for (const path of ["/appeals/some-appeal", "/appeals/some-appeal/embed.data", "/appeals/some-appeal/embed/x", "/appeals/a/b/embed", "/x/appeals/a/embed", "/appeals/some-appeal/flyer"]) {
      assert.equal(mayBeFramedByOtherSites(path), false, path);
    }
    assert.equal(isMadeForOtherSites("/appeals/a/badge.svg"), true);
    assert.equal(isMadeForOtherSites("/appeals/a/thanks"), false);
  });
});

/** The src of every script a page loads from an address (inline scripts have none). */
function scriptSources(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\ssrc="([^"]*)"/gi)].map((match) => match[1]!);
}

describe("share links", () => {
  test("each carries the appeal's address, encoded whole", () => {
    const url = "https://sign.example.org/appeals/keep-the-library-open";
    const links = shareLinks({ url, message: "Please sign: “Keep it open”", subject: "Please sign & share", emailBody: `Read it:\n\n${url}` });
    assert.deepEqual(links.map((link) => link.network), ["email", "telegram", "whatsapp", "x", "facebook"]);
    for (const link of links) assert.ok(link.href.includes(encodeURIComponent(url)), `${link.network}: ${link.href}`);
    const mail = new URL(links[0]!.href);
    assert.equal(mail.protocol, "mailto:");
    assert.equal(mail.searchParams.get("subject"), "Please sign & share");
    assert.equal(mail.searchParams.get("body"), `Read it:\n\n${url}`);
    assert.doesNotMatch(links[0]!.href, /\+/, "spaces as %20 in a mailto link");
    for (const link of links.slice(1)) assert.equal(new URL(link.href).protocol, "https:");
  });

  test("the appeal page and the thanks page show them, with Open Graph tags, and load no other site's script", async () => {
    const appeal = await createTestAppeal(database.db);
    const address = `${publicUrl}/appeals/${appeal.slug}`;
    for (const path of [`/appeals/${appeal.slug}`, `/appeals/${appeal.slug}/thanks`]) {
      const { response, bytes } = await get(path);
      assert.equal(response.status, 200, path);
      const html = bytes.toString("utf8");
      const section = /<section[^>]*data-testid="share-links"[\s\S]*?<\/section>/.exec(html)?.[0];
      assert.ok(section, `${path}: share links`);
      for (const host of ["mailto:", "https://t.me/", "https://wa.me/", "https://x.com/", "https://www.facebook.com/"]) {
        const href = new RegExp(`href="(${host.replace(/[./]/g, "\\$&")}[^"]*)"`).exec(section)?.[1];
        assert.ok(href, `${path}: a ${host} link`);
        assert.ok(decodeURIComponent(href.replace(/&amp;/g, "&")).includes(address), `${path}: ${host} link carries ${address}`);
      }
      assert.ok(section.includes(`value="${address}"`), `${path}: the address in a field to copy without JavaScript`);
      for (const src of scriptSources(html)) assert.match(src, /^\/(?!\/)/, `${path}: a script from this site only: ${src}`);
    }

    const page = (await get(`/appeals/${appeal.slug}`)).bytes.toString("utf8");
    const meta = (property: string) => new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)"`).exec(page)?.[1];
    assert.equal(meta("og:url"), address);
    assert.equal(meta("og:image"), `${address}/share.png?lang=en`);
    assert.equal(meta("og:image:width"), "1200");
    assert.equal(meta("og:image:height"), "630");
    assert.equal(meta("twitter:card"), "summary_large_image");
    assert.equal(meta("og:title"), appeal.title);
    assert.equal(meta("og:description"), "Close Elm Road to through traffic at school times.");
  });

  test("the snippet for other sites escapes the title it carries", () => {
    const snippet = embedSnippet(publicUrl, "some-appeal", `Say "no" <script>alert(1)</script>`);
    assert.match(snippet, /^<iframe src="https:\/\/sign\.example\.org\/appeals\/some-appeal\/embed" title="Say &#34;no&#34; &#60;script&#62;/);
    assert.doesNotMatch(snippet, /<script/);
  });
});
