import { createReadableStreamFromReadable, createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { DecidedFormPost } from "~/form-posts.server";
import type { NextFunction, Request, Response as ExpressResponse } from "express";
import { databaseUnavailableRetrySeconds, withDatabaseUnavailableAs503 } from "./database-availability.server";
import { mustNotBeStored, noStoreCacheControl } from "./http-guards.server";
import type { Logger } from "./logger.server";
import type { PublicPageCache } from "./public-page-cache.server";
import { pathForLog } from "./logger.server";
import { pathAndQuery } from "./request-path.server";

/**
 * Remix behind Express, as @remix-run/express 2.17 does it (its request conversion is not
 * exported, so it is repeated below), except for how a response body is written. Its sendRemixResponse writes every chunk without waiting for the client, so a slow
 * download piles the whole body up in memory, and it keeps reading after the client has gone.
 * Here the body is read only as fast as the connection drains, and cancelled when the client
 * disconnects, which lets a streamed export run in constant memory and give back its database
 * connection at once (docs/decisions/008-…).
 */
export function createRemixHandler(options: {
  build: ServerBuild;
  /** The site's address (PUBLIC_URL): what every request is taken to be addressed to. */
  publicUrl: string;
  /**
   * Development mode puts error messages and stack traces in answers; only a person on this
   * machine may get it (see comesFromThisMachine), and never in production.
   */
  showErrorDetails: (req: Request) => boolean;
  getLoadContext: (req: Request, res: ExpressResponse) => AppLoadContext;
  log: Logger;
  /** Public pages for visitors who are not signed in, kept for a moment (PAGE_CACHE_SECONDS). */
  pageCache: { cache: PublicPageCache; keyFor: (req: Request, res: ExpressResponse) => string | null } | null;
}) {
  const build = withDatabaseUnavailableAs503(options.build);
  const handlers = { production: createRequestHandler(build, "production"), development: createRequestHandler(build, "development") };
  return async (req: Request, res: ExpressResponse, next: NextFunction) => {
    let response: Response;
    try {
      const handleRequest = options.showErrorDetails(req) ? handlers.development : handlers.production;
      const render = () => handleRequest(createRemixRequest(req, res, options.publicUrl), options.getLoadContext(req, res));
      const cacheKey = req.method === "GET" ? options.pageCache?.keyFor(req, res) : null;
      if (cacheKey && options.pageCache) {
        const uncacheable = await options.pageCache.cache.serve(req, res, cacheKey, render);
        if (!uncacheable) return;
        response = uncacheable;
      } else response = await render();
    } catch (error) {
      return next(error);
    }
    response = withEdgeCacheRules(req.method, response);
    await sendResponse(res, response, (error) => options.log.error({ err: error, path: pathForLog(req.originalUrl) }, "response body failed"));
  };
}

/**
 * An answer that may echo what a person typed is never stored by a cache, and a 503 (a
 * database that did not answer) says when to come back, however it was thrown. Headers of some
 * responses are immutable, so the answer is rebuilt around the same body.
 */
function withEdgeCacheRules(method: string, response: Response): Response {
  const noStore = mustNotBeStored(method, response.status);
  const retryAfter = response.status === 503 && !response.headers.has("Retry-After");
  if (!noStore && !retryAfter) return response;
  const headers = new Headers(response.headers);
  if (retryAfter) headers.set("Retry-After", String(databaseUnavailableRetrySeconds));
  if (noStore) {
    headers.set("Cache-Control", noStoreCacheControl(headers.get("Cache-Control")));
    headers.delete("CDN-Cache-Control");
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The Fetch API request Remix expects, addressed to PUBLIC_URL whatever Host the request came
 * with (behind a reverse proxy Host names the upstream); aborted when the client leaves before
 * the response is done.
 */
function createRemixRequest(req: Request, res: ExpressResponse, publicUrl: string): globalThis.Request {
  const site = new URL(publicUrl);
  const url = new URL(`${site.origin}${pathAndQuery(req.originalUrl)}`);
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (values === undefined) continue;
    for (const value of Array.isArray(values) ? values : [values]) headers.append(key, value);
  }
  // rejectCrossSiteWrites has judged where a write comes from, against PUBLIC_URL. Remix's own
  // check compares Origin with (X-Forwarded-)Host, which behind a proxy, or for a page opened
  // as 127.0.0.1 instead of localhost, differ without any attack — and it answers with a 500.
  headers.delete("origin");
  headers.delete("x-forwarded-host");
  headers.set("host", site.host);
  let controller: AbortController | null = new AbortController();
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    // A form post answered in part already (direct-form-posts.server.ts) has had its body read.
    const decided = res.locals.decidedFormPost as DecidedFormPost | undefined;
    init.body = decided ? new Uint8Array(decided.body) : createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new globalThis.Request(url.href, init);
}

/**
 * Headers the security middleware sets on every answer that a route may set differently for its
 * own: the open data (the API, the count badge) is meant to be embedded by other sites, which
 * helmet's `Cross-Origin-Resource-Policy: same-origin` forbids. Appended, the two values would
 * make one invalid header, which browsers treat as the strictest.
 */
const routeMayReplace = new Set(["cross-origin-resource-policy"]);

/** Compression adds flush(): a streamed page reaches the browser chunk by chunk, not at the end. */
type FlushableResponse = ExpressResponse & { flush?: () => void };

export async function sendResponse(res: FlushableResponse, response: Response, onBodyError: (error: unknown) => void): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) {
    if (routeMayReplace.has(key)) res.setHeader(key, value);
    else res.append(key, value);
  }
  if (!response.body) {
    res.end();
    return;
  }
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();

  const reader = response.body.getReader();
  // One 'drain' listener for the whole response: the compression middleware moves 'drain'
  // listeners to its own stream, where removing them (or `once`) does not work.
  let wake: (() => void) | null = null;
  const resume = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const stopReading = () => {
    if (!res.writableFinished) reader.cancel().catch(() => undefined);
    resume();
  };
  // The client may have left while the loader ran: 'close' has then already been emitted.
  if (res.destroyed) return stopReading();
  res.on("drain", resume);
  res.once("close", stopReading);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value) && !res.destroyed) await new Promise<void>((resolve) => (wake = resolve));
      res.flush?.();
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    // A body that fails half-way must not look complete: cutting the connection makes the
    // client see an incomplete transfer instead of a shorter file that seems whole.
    res.destroy();
    onBodyError(error);
  } finally {
    res.off("close", stopReading);
    res.off("drain", resume);
  }
}
