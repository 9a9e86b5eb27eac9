import type { NextFunction, Request, Response } from "express";

/**
 * Refuses form posts and other writes that come from another site (CSRF). Remix 2 checks
 * Origin only for some requests and answers a mismatch with a 500, so the app checks every
 * non-GET itself and answers 403.
 *
 * Sec-Fetch-Site is set by the browser alone and is decisive when present. Origin is the
 * fallback for older browsers.
 * Clients that send neither (curl, scripts) cannot carry a visitor's cookies, so they pass.
 */
export function rejectCrossSiteWrites(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const fetchSite = req.get("sec-fetch-site");
    if (fetchSite) return fetchSite === "same-origin" || fetchSite === "none" ? next() : forbid(res);
    const origin = req.get("origin");
    if (origin !== undefined && origin !== publicOrigin && !sameHost(origin, req.get("host"))) return forbid(res);
    next();
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false; // "null" and other opaque origins
  }
}

function forbid(res: Response) {
  res.status(403).type("text/plain").send("Forbidden: this form was sent from another site.");
}

/** Headers every response carries. Confirmation links hold a token, so referrers never leave the site. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.set({
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
  });
  next();
}
