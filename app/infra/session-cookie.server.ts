import { parse, serialize } from "cookie";

/**
 * The organizer session cookie. HttpOnly (no script reads it) and SameSite=Lax (other sites'
 * forms do not carry it). In production it is Secure and named with the `__Host-` prefix,
 * which browsers accept only from HTTPS, for the whole site and without a Domain: no
 * subdomain can set or overwrite it.
 */
export type SessionCookieSettings = { secure: boolean };

export function sessionCookieName({ secure }: SessionCookieSettings): string {
  return secure ? "__Host-undersign_session" : "undersign_session";
}

export function readSessionToken(cookieHeader: string | null | undefined, settings: SessionCookieSettings): string | null {
  if (!cookieHeader) return null;
  return parse(cookieHeader)[sessionCookieName(settings)] ?? null;
}

export function sessionCookie(token: string, expiresAt: Date, settings: SessionCookieSettings): string {
  return serialize(sessionCookieName(settings), token, { httpOnly: true, sameSite: "lax", secure: settings.secure, path: "/", expires: expiresAt });
}

export function clearedSessionCookie(settings: SessionCookieSettings): string {
  return serialize(sessionCookieName(settings), "", { httpOnly: true, sameSite: "lax", secure: settings.secure, path: "/", expires: new Date(0) });
}
