import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe. Only its hash is stored; the token itself lives in the email. */
export function createToken(): { token: string; tokenHash: Uint8Array<ArrayBuffer> } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}

/** Tokens we issue are exactly 43 base64url characters; anything else is not worth a query. */
export function looksLikeToken(candidate: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(candidate);
}
