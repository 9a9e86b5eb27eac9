import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * When the sign form was handed out, signed with the app's secret, so a submission can tell how
 * long its author took. A person reads at least the form's labels and types a name and an
 * address; a script posts in milliseconds, or without ever loading the form. Such submissions
 * are held, never refused (see signatures.ts).
 *
 * The time is the server's when the page was rendered: a page served from a CDN's cache only
 * makes a submission look slower, never faster.
 */
/** The default of SIGN_MIN_FILL_SECONDS: a person takes longer; autofill and a click rarely take less. */
export const defaultMinimumFillTimeMs = 2_000;

export function issueFormToken(secret: string, now = Date.now()): string {
  const issuedAt = String(now);
  return `${issuedAt}.${sign(secret, issuedAt)}`;
}

/** The moment the form was issued, or null when the token is missing, forged or malformed. */
export function readFormToken(secret: string, token: string | null | undefined): number | null {
  const match = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!match) return null;
  const expected = Buffer.from(sign(secret, match[1]!));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? Number(match[1]) : null;
}

function sign(secret: string, issuedAt: string): string {
  return createHmac("sha256", secret).update(`sign-form:${issuedAt}`).digest("base64url");
}

export type TimingVerdict = "ok" | "too-fast" | "no-form";

export function judgeFillTime(issuedAt: number | null, minimumFillTimeMs: number, now = Date.now()): TimingVerdict {
  if (issuedAt === null) return "no-form";
  return now - issuedAt < minimumFillTimeMs ? "too-fast" : "ok";
}
