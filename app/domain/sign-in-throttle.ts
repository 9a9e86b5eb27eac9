import { createHmac } from "node:crypto";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "~/infra/db.server";

/**
 * Failed sign-ins, counted per account and per network address (the same Postgres-backed
 * counters as the sign form's rate limit, shared by every web process). Past either limit,
 * attempts are refused until the window has passed; a successful sign-in clears the account's
 * count. Keys are HMACs: the table holds neither addresses nor email addresses.
 */
export type SignInLimits = { perAccount: number; perAddress: number; windowSeconds: number };

export const defaultSignInLimits: SignInLimits = { perAccount: 5, perAddress: 20, windowSeconds: 15 * 60 };

export type SignInThrottle = {
  check: (emailCanonical: string, clientAddress: string) => Promise<{ blocked: false } | { blocked: true; retryAfterSeconds: number }>;
  recordFailure: (emailCanonical: string, clientAddress: string) => Promise<void>;
  recordSuccess: (emailCanonical: string) => Promise<void>;
};

export function createSignInThrottle(db: Database, secret: string, limits: SignInLimits = defaultSignInLimits): SignInThrottle {
  const perAccount = new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix: "sign-in-account", points: limits.perAccount, duration: limits.windowSeconds });
  const perAddress = new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix: "sign-in-address", points: limits.perAddress, duration: limits.windowSeconds });
  const key = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");
  const windows = (emailCanonical: string, clientAddress: string) =>
    [
      [perAccount, key(`account:${emailCanonical}`)],
      [perAddress, key(`address:${clientAddress}`)],
    ] as const;

  return {
    async check(emailCanonical, clientAddress) {
      let retryAfterMs = 0;
      for (const [limiter, limiterKey] of windows(emailCanonical, clientAddress)) {
        const state = await limiter.get(limiterKey);
        if (state && state.consumedPoints >= limiter.points) retryAfterMs = Math.max(retryAfterMs, state.msBeforeNext);
      }
      return retryAfterMs > 0 ? { blocked: true, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { blocked: false };
    },
    async recordFailure(emailCanonical, clientAddress) {
      for (const [limiter, limiterKey] of windows(emailCanonical, clientAddress)) {
        try {
          await limiter.consume(limiterKey);
        } catch (rejection) {
          // Over the limit already: that is what check() reports next time.
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
        }
      }
    },
    async recordSuccess(emailCanonical) {
      await perAccount.delete(key(`account:${emailCanonical}`));
    },
  };
}
