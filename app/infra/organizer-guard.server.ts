import { data } from "@remix-run/node";
import type { NextFunction, Request, Response } from "express";
import { findSession, type SessionLifetimes } from "~/domain/organizer-sessions";
import { can, organizerAreaPrefix, permissionForPath, type Permission, type SignedInOrganizer } from "~/domain/organizers";
import type { Database } from "./db.server";
import type { Logger } from "./logger.server";
import { pathAsRouted } from "./request-path.server";
import { readSessionToken, type SessionCookieSettings } from "./session-cookie.server";

/**
 * The one guard of the organizer area. Every request under /organize passes through it before
 * any loader or action runs, so a page cannot forget to check who is asking:
 *  - signed out: a page asks to sign in (303 to /sign-in?next=…); data, exports and form
 *    posts get 401;
 *  - signed in without the permission the path needs (domain/organizers.ts lists them): a page
 *    goes back to the organizer area's start with a notice; anything else gets 403.
 * Routes still call requireOrganizer() to get the organizer, typed, and as a second check.
 */
export function resolveOrganizer(options: { db: Database; lifetimes: SessionLifetimes; cookie: SessionCookieSettings; log: Logger }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.organizer = null;
    const token = readSessionToken(req.headers.cookie, options.cookie);
    if (!token) return next();
    try {
      res.locals.organizer = (await findSession(options.db, token, options.lifetimes))?.organizer ?? null;
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function guardOrganizerArea(req: Request, res: Response, next: NextFunction) {
  // As the router will read it: "/ORGANIZE/…" or "/%6Frganize/…" is the same page.
  const path = pathAsRouted(req.originalUrl);
  if (path !== organizerAreaPrefix && !path.startsWith(`${organizerAreaPrefix}/`) && !path.startsWith(`${organizerAreaPrefix}.`)) return next();
  // Pages and their data are private to the organizer who asked.
  res.set("Cache-Control", "private, no-store");
  const organizer = res.locals.organizer as SignedInOrganizer | null;
  const isPage = (req.method === "GET" || req.method === "HEAD") && !/\.(data|csv|json)$/.test(path);
  if (!organizer) {
    if (isPage) return res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    return res.status(401).type("text/plain").send("Sign in as an organizer first.");
  }
  const permission = permissionForPath(path);
  if (permission && !can(organizer, permission)) {
    if (isPage) return res.redirect(303, `${organizerAreaPrefix}?denied=1`);
    return res.status(403).type("text/plain").send("Your role does not allow this.");
  }
  next();
}

/** In a loader or action: the signed-in organizer (and, if given, one allowed to do this). */
export function requireOrganizer(context: { organizer: SignedInOrganizer | null }, permission?: Permission): SignedInOrganizer {
  const { organizer } = context;
  if (!organizer) throw data(null, { status: 401 });
  if (permission && !can(organizer, permission)) throw data(null, { status: 403 });
  return organizer;
}
