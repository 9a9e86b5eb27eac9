import { randomFillSync } from "node:crypto";
import { isIP } from "node:net";
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import helmet from "helmet";
import onHeaders from "on-headers";
import { isMadeForOtherSites, mayBeFramedByOtherSites } from "~/domain/sharing";
import { databaseUnavailableRetrySeconds, isDatabaseUnavailable } from "./database-availability.server";
import type { Logger } from "./logger.server";
import { pathForLog } from "./logger.server";
import { pathAsRouted } from "./request-path.server";

/**
 * The edge of the web process: what every request meets before Remix. Each guard answers a
 * mistake or an attack with a short plain 4xx and reads nothing it does not need.
 * docs/decisions/010-a-hardened-edge.md says why each is here.
 */

/**
 * Refuses writes that come from another site (CSRF) with a 403, on every route: page actions,
 * `.data` requests and resource routes alike.
 *
 * Sec-Fetch-Site is set by the browser alone and is decisive when present. Origin is the
 * fallback for older browsers and must be PUBLIC_URL's origin: behind a reverse proxy the Host
 * header names the upstream (nginx sends `127.0.0.1:3000` by default), so it proves nothing.
 * Clients that send neither (curl, scripts) cannot carry a visitor's cookies, so they pass.
 */
export function rejectCrossSiteWrites(publicUrl: string): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin;
  return (req, res, next) => {
    if (!carriesBody(req)) return next();
    if (isOneClickUnsubscribe(req)) return next();
    const fetchSite = req.get("sec-fetch-site");
    if (fetchSite) return fetchSite === "same-origin" || fetchSite === "none" ? next() : forbidCrossSite(res);
    const origin = req.get("origin");
    if (origin !== undefined && origin !== publicOrigin) return forbidCrossSite(res);
    next();
  };
}

/**
 * The one write another site may send: RFC 8058's one-click unsubscribe, which mail providers
 * POST from their own servers (or the reader's mail program) to the List-Unsubscribe address.
 * It carries no cookie and needs none — the token in the path is the authority — and all it can
 * do is stop updates to one signer, which is what whoever holds the email asked for.
 */
function isOneClickUnsubscribe(req: Request): boolean {
  return req.method === "POST" && /^\/unsubscribe\/[A-Za-z0-9_-]+\/?$/.test(req.path);
}

function forbidCrossSite(res: Response) {
  res.status(403).set("Cache-Control", "no-store").type("text/plain").send("Forbidden: this form was sent from another site.");
}

function carriesBody(req: Request): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
}

/**
 * `?_data=<route>` is how Remix fetched data before single fetch; this app's pages use `.data`
 * URLs. Remix still answers the old form, logging each as an error, so anyone could flood the
 * log with them: they get a 400 here instead.
 */
export const refuseLegacyDataRequests: RequestHandler = (req, res, next) => {
  // Parameter names are read as URLSearchParams reads them: "%5Fdata" is "_data" to Remix too.
  const names = [...new URLSearchParams(req.originalUrl.split("?").slice(1).join("?")).keys()];
  if (!names.includes("_data")) return next();
  res.status(400).set("Cache-Control", "no-store").type("text/plain").send("Bad Request: ?_data requests are not supported; use the page's .data URL.");
};

/**
 * Request bodies are capped before anything reads them. The public forms (sign, withdraw,
 * sign in, passwords) are a few kilobytes at their longest; the organizers' forms hold an
 * appeal's text (50,000 characters, up to 12 bytes each once URL-encoded) and its signatories;
 * uploads hold one image of at most 10 MB, with room to say "too large" for somewhat larger
 * files while keeping what else was typed. Past the cap: 413, with the connection closed so
 * the rest of the body is never read. A body without a declared length (chunked) cannot be
 * judged before reading it: 411. Browsers always declare the length of a form.
 */
export const requestBodyLimits = {
  publicForm: 64 * 1024,
  organizerForm: 2 * 1024 * 1024,
  organizerUpload: 25 * 1024 * 1024,
} as const;

export function bodyLimitFor(req: Pick<Request, "originalUrl" | "headers">): number {
  // The path as the router reads it: "/organize/../appeals/x" is a public form, and gets its cap.
  if (!/^\/organize(\/|\.data$|$)/.test(pathAsRouted(req.originalUrl))) return requestBodyLimits.publicForm;
  return /^multipart\/form-data/i.test(req.headers["content-type"] ?? "") ? requestBodyLimits.organizerUpload : requestBodyLimits.organizerForm;
}

export const limitRequestBodies: RequestHandler = (req, res, next) => {
  if (!carriesBody(req)) return next();
  const declared = req.get("content-length");
  if (declared === undefined) {
    if (req.get("transfer-encoding") === undefined) return next(); // no body at all
    return refuseBody(res, 411, "Length Required: send the form with a Content-Length.");
  }
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) return refuseBody(res, 400, "Bad Request: the Content-Length cannot be read.");
  if (length > bodyLimitFor(req)) return refuseBody(res, 413, "Payload Too Large: this form is far longer than any form on this site.");
  next();
};

function refuseBody(res: Response, status: number, message: string) {
  // The body is not read: closing the connection spares us receiving it.
  res.set({ Connection: "close", "Cache-Control": "no-store" }).status(status).type("text/plain").send(message);
}

/**
 * Security headers through helmet, and the per-response nonce that lets Remix's own inline
 * scripts run (and nothing else inline). Styles may be set in style attributes (React's
 * `style={…}`), not in <style> elements. No page may be framed (frame-ancestors 'none' and
 * X-Frame-Options: DENY for browsers that know only that), except the appeal's embed, which is
 * made for other sites' frames (mayBeFramedByOtherSites); it and the images made for other
 * sites (the badge, share image, QR codes) may also be loaded by them (Cross-Origin-Resource-Policy).
 */
export function securityHeaders(options: { isProduction: boolean }): RequestHandler[] {
  const nextNonce = createNonceSource();
  const setNonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = nextNonce();
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce as string}'`],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        // The proof-of-work widget computes in a worker served from this site.
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": [(req) => (mayBeFramedByOtherSites((req as Request).path) ? "*" : "'none'")],
        ...(options.isProduction ? { "upgrade-insecure-requests": [] } : {}),
      },
    },
    // HTTPS only in production: a local copy runs on http://localhost.
    strictTransportSecurity: options.isProduction ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    // Confirmation and withdraw links hold a token: referrers never leave the site.
    referrerPolicy: { policy: "same-origin" },
    // Set below, per path: helmet's would be the same for every answer.
    xFrameOptions: false,
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
  });
  const framingAndEmbedding: RequestHandler = (req, res, next) => {
    if (!mayBeFramedByOtherSites(req.path)) res.set("X-Frame-Options", "DENY");
    res.set("Cross-Origin-Resource-Policy", isMadeForOtherSites(req.path) ? "cross-origin" : "same-origin");
    next();
  };
  const permissionsPolicy: RequestHandler = (_req, res, next) => {
    res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()");
    next();
  };
  return [setNonce, headers, framingAndEmbedding, permissionsPolicy];
}

/**
 * Content-Security-Policy nonces, 16 random bytes each, taken from one fill of the system's
 * random source per 256 answers: asking for 16 bytes on every answer cost 2 % of a signature's
 * CPU (two answers each). Every nonce is still used once and never derived from another.
 */
function createNonceSource(): () => string {
  const nonceBytes = 16;
  const batch = Buffer.alloc(nonceBytes * 256);
  let offset = batch.length;
  return () => {
    if (offset === batch.length) {
      randomFillSync(batch);
      offset = 0;
    }
    const nonce = batch.toString("base64", offset, offset + nonceBytes);
    offset += nonceBytes;
    return nonce;
  };
}

/** True for 127.0.0.0/8, ::1 and IPv4 loopback written as IPv6 (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address || !isIP(address)) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/**
 * The connection's own peer, never X-Forwarded-For: a header anyone can send must not make a
 * request count as coming from this machine.
 */
export function comesFromThisMachine(req: Request): boolean {
  return isLoopbackAddress(req.socket.remoteAddress);
}

/**
 * Paths starting with `prefix` (the dev mailbox, which shows every confirmation link) exist
 * only for a browser on this machine. A prefix, not a mount point: `/dev/mailbox.data` is the
 * same page's data. Compared with the path as the router will read it, whatever its spelling.
 */
export function onlyFromThisMachine(prefix: string): RequestHandler {
  return (req, res, next) => {
    if (!pathAsRouted(req.originalUrl).startsWith(prefix) || comesFromThisMachine(req)) return next();
    res.status(404).set("Cache-Control", "no-store").type("text/plain").send("Not Found");
  };
}

/**
 * Errors that reach Express (middleware before Remix; Remix's own are rendered by it): a
 * database that does not answer is a 503, anything else a plain 500. Never a stack trace.
 */
export function answerErrors(log: Logger): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    res.set("Cache-Control", "no-store").type("text/plain");
    // Express's own client errors (a path whose percent-encoding is broken: URIError, 400).
    const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) return void res.status(status).send("Bad Request: this address cannot be read.");
    if (isDatabaseUnavailable(error)) {
      log.warn({ path: pathForLog(req.originalUrl), err: { message: (error as Error).message } }, "database unavailable");
      return void res.status(503).set("Retry-After", String(databaseUnavailableRetrySeconds)).send("The site is busy or briefly unavailable. Please try again in a moment.");
    }
    log.error({ err: error, path: pathForLog(req.originalUrl) }, "unhandled error");
    res.status(500).send("Something went wrong. Please try again in a moment.");
  };
}

/**
 * An answer to a write, or any error answer, may echo what a person typed (their name and
 * email in a form shown again with its errors): no cache may keep it.
 */
export function mustNotBeStored(method: string, status: number): boolean {
  return method !== "GET" && method !== "HEAD" ? true : status >= 400;
}

/** The Cache-Control such an answer gets: the route's own when it already forbids storing. */
export function noStoreCacheControl(current: string | null): string {
  return current && /\bno-store\b/.test(current) ? current : "no-store";
}

/**
 * An answer shaped by the visitor's own cookies — a signed-in organizer's page, or a page in the
 * language a visitor chose earlier (the language cookie, not a ?lang= in the address) — must not
 * be kept by a shared cache (a CDN) and served to others, even where its route marks the page
 * public: it becomes `private, no-cache` and loses CDN-Cache-Control. Public pages also say
 * `Vary: Cookie` (publicPageCacheHeaders), so a CDN does not give its stored copy to a visitor
 * whose cookie would have changed the answer.
 */
export const keepPersonalAnswersPrivate: RequestHandler = (req, res, next) => {
  const personal = Boolean(res.locals.organizer) || res.locals.languageFromCookie === true;
  if (personal) {
    onHeaders(res, () => {
      if (!/(^|,)\s*public\b/.test(String(res.getHeader("Cache-Control") ?? ""))) return;
      res.setHeader("Cache-Control", "private, no-cache");
      res.removeHeader("CDN-Cache-Control");
    });
  }
  next();
};
