import { createHmac } from "node:crypto";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "~/infra/db.server";

/**
 * How many signatures one network address may submit to one appeal: a burst limit per minute
 * and a sustained limit per hour, as the UK Parliament petitions site does. Generous, because
 * many people share an address (offices, universities, mobile networks, a stall at a rally).
 * 0 turns a limit off.
 */
export type SigningLimits = { perMinute: number; perHour: number };

export type SigningRateLimit = {
  /** Counts one submission; says whether it may go ahead, and if not, when to try again. */
  consume: (appealId: string, clientAddress: string) => Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
};

/**
 * Counters live in Postgres (the RateLimit table), so every web process shares them. Keys are
 * an HMAC of the address with the app's secret: the table never holds an IP address.
 */
export function createSigningRateLimit(db: Database, limits: SigningLimits, secret: string): SigningRateLimit {
  const windows = [
    { points: limits.perMinute, duration: 60, keyPrefix: "sign-minute" },
    { points: limits.perHour, duration: 3600, keyPrefix: "sign-hour" },
  ]
    .filter((window) => window.points > 0)
    .map((window) => new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", ...window }));

  return {
    async consume(appealId, clientAddress) {
      const key = `${appealId}:${createHmac("sha256", secret).update(clientAddress).digest("base64url")}`;
      let retryAfterMs = 0;
      for (const window of windows) {
        try {
          await window.consume(key);
        } catch (rejection) {
          // The library rejects with a RateLimiterRes when over the limit; anything else is a real error.
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          retryAfterMs = Math.max(retryAfterMs, rejection.msBeforeNext);
        }
      }
      return retryAfterMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { allowed: true };
    },
  };
}
