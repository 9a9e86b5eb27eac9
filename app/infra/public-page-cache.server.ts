import { createHash } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { Request, Response as ExpressResponse } from "express";

/**
 * Public pages as visitors see them, kept in memory for a second (PAGE_CACHE_SECONDS) and
 * served without rendering them again: a spike of readers of one appeal costs one render per
 * second per web process instead of one each (docs/decisions/018-using-both-cores-and-a-page-cache.md).
 *
 * Only HTML that a route marks as publicly cacheable (`Cache-Control: public`, see
 * publicPageCacheHeaders) is kept, only for visitors who are not signed in, one copy per
 * address and language, never an answer that sets a cookie.
 *
 * Pages carry Remix's inline scripts, which the Content-Security-Policy allows by a nonce that
 * must be new for every answer. A cached page cannot carry a new nonce without being rewritten
 * and compressed again, which is what the cache saves; so its scripts are allowed by their
 * SHA-256 hashes instead (CSP `'sha256-…'` sources), computed once when the page is stored, and
 * its nonce attributes are removed. The compressed forms are made once per stored page too.
 */

type StoredPage = {
  status: number;
  headers: [string, string][];
  body: Buffer;
  /** CSP sources allowing exactly the page's inline scripts. */
  scriptHashes: string;
  storedAt: number;
  compressed: Map<"br" | "gzip", Promise<Buffer>>;
};

export type PublicPageCache = {
  /**
   * Answers `req` from the cache, rendering it with `render` when it is missing or too old.
   * Returns the rendered Response when it may not be cached (it is then the caller's to send),
   * or null when the answer has been sent.
   */
  serve: (req: Request, res: ExpressResponse, key: string, render: () => Promise<Response>) => Promise<Response | null>;
};

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export function createPublicPageCache(options: { maxAgeMs: number; maxPages?: number; now?: () => number }): PublicPageCache {
  const maxPages = options.maxPages ?? 1_000;
  const now = options.now ?? Date.now;
  const pages = new Map<string, StoredPage>();
  // One render per page at a time: readers arriving meanwhile wait for it instead of rendering too.
  const rendering = new Map<string, Promise<StoredPage | Response>>();

  const renderAndStore = (key: string, render: () => Promise<Response>) => {
    let pending = rendering.get(key);
    if (!pending) {
      pending = render()
        .then(async (response) => {
          if (!isCacheable(response)) return response;
          const page = await storedPageFrom(response, now());
          if (pages.size >= maxPages && !pages.has(key)) pages.delete(pages.keys().next().value!);
          pages.set(key, page);
          return page;
        })
        .finally(() => rendering.delete(key));
      rendering.set(key, pending);
    }
    return pending;
  };

  return {
    async serve(req, res, key, render) {
      const stored = pages.get(key);
      const age = stored ? now() - stored.storedAt : Infinity;
      if (stored && age < options.maxAgeMs) {
        await send(req, res, stored, age);
        return null;
      }
      // Up to twice the age allowed, the stored page is still served while the next one renders,
      // so readers do not wait for it; older than that, they wait.
      if (stored && age < 2 * options.maxAgeMs) {
        void renderAndStore(key, render).catch(() => undefined);
        await send(req, res, stored, age);
        return null;
      }
      const isFirst = !rendering.has(key);
      const result = await renderAndStore(key, render);
      if (!(result instanceof Response)) {
        await send(req, res, result, now() - result.storedAt);
        return null;
      }
      // Not cacheable (a 404, a page that sets a cookie): only the reader whose request rendered
      // it may use its body; others render their own.
      return isFirst ? result : render();
    },
  };
}

/**
 * Only HTML pages: the cache reads the body as text to swap nonces for hashes, which would
 * garble the bytes of an image or a PDF that is also marked public (attachments are, for CDNs).
 */
function isCacheable(response: Response): boolean {
  return (
    response.status === 200 &&
    /^text\/html\b/i.test(response.headers.get("Content-Type") ?? "") &&
    /(^|,)\s*public\b/.test(response.headers.get("Cache-Control") ?? "") &&
    !response.headers.has("Set-Cookie") &&
    response.body !== null
  );
}

/** Inline scripts: `<script …>content</script>` without a src attribute. */
const inlineScript = /<script\b([^>]*)>([\s\S]*?)<\/script>/g;
const nonceAttribute = / nonce="[^"]*"/g;

async function storedPageFrom(response: Response, storedAt: number): Promise<StoredPage> {
  const html = (await response.text()).replace(nonceAttribute, "");
  const hashes = new Set<string>();
  for (const [, attributes, content] of html.matchAll(inlineScript)) {
    if (/\bsrc=/.test(attributes ?? "") || !content) continue;
    hashes.add(`'sha256-${createHash("sha256").update(content, "utf8").digest("base64")}'`);
  }
  const headers = [...response.headers.entries()].filter(([name]) => !["content-length", "content-encoding"].includes(name));
  return { status: response.status, headers, body: Buffer.from(html, "utf8"), scriptHashes: [...hashes].join(" "), storedAt, compressed: new Map() };
}

function compressedBody(page: StoredPage, encoding: "br" | "gzip"): Promise<Buffer> {
  let body = page.compressed.get(encoding);
  if (!body) {
    body =
      encoding === "br"
        ? brotli(page.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: page.body.length } })
        : gzip(page.body, { level: 9 });
    page.compressed.set(encoding, body);
  }
  return body;
}

/** The encoding to send: Brotli where the client takes it, else gzip, else none. */
function chooseEncoding(req: Request): "br" | "gzip" | null {
  const accepted = req.acceptsEncodings("br", "gzip", "identity");
  return accepted === "br" || accepted === "gzip" ? accepted : null;
}

async function send(req: Request, res: ExpressResponse, page: StoredPage, ageMs: number): Promise<void> {
  const encoding = chooseEncoding(req);
  const body = encoding ? await compressedBody(page, encoding) : page.body;
  if (res.destroyed) return;
  res.status(page.status);
  for (const [name, value] of page.headers) res.append(name, value);
  // The policy the security headers set for this answer, with the page's script hashes in place
  // of the nonce its markup no longer carries.
  const policy = res.getHeader("Content-Security-Policy");
  if (typeof policy === "string") res.setHeader("Content-Security-Policy", policy.replace(/ ?'nonce-[^']*'/, page.scriptHashes ? ` ${page.scriptHashes}` : ""));
  // How old the stored page is (RFC 9111): also how a test or an operator tells a stored page from a fresh one.
  res.setHeader("Age", String(Math.floor(ageMs / 1000)));
  res.vary("Accept-Encoding");
  if (encoding) res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", String(body.length));
  res.end(body);
}
