import { createHmac } from "node:crypto";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "~/infra/db.server";

/** At most `perHour` requests of one kind per network address, counted in Postgres under an HMAC of the address. */
export type RequestLimit = { allow: (clientAddress: string) => Promise<boolean> };

export function createRequestLimit(db: Database, secret: string, options: { name: string; perHour: number }): RequestLimit {
  const limiter = new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix: options.name, points: options.perHour, duration: 3600 });
  return {
    async allow(clientAddress) {
      try {
        await limiter.consume(createHmac("sha256", secret).update(clientAddress).digest("base64url"));
        return true;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return false;
        throw rejection;
      }
    },
  };
}
