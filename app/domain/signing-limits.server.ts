import { createHmac } from "node:crypto";
import { isIP, isIPv6 } from "node:net";
import { RateLimiterPrisma } from "rate-limiter-flexible";
import type { Database } from "~/infra/db.server";

/**
 * How many signatures may come from one place in a given time, as the UK Parliament petitions
 * site limits them: per network address per appeal, in a burst (a minute) and sustained (an
 * hour); per signer (canonical email) across the site; and per network address across the
 * site. Generous, because offices, universities, mobile networks and a stall at a rally share an
 * address. A submission over a limit is not refused — it is held (see signatures.ts), so a bot
 * learns nothing from the answer.
 *
 * Counters live in Postgres (the RateLimit table), shared by every web process. Keys are HMACs
 * of the address or email with the app's secret: the table holds neither. An IPv6 address
 * counts as its /64, since one household or phone is given a whole /64.
 */
export type SigningLimits = {
  /** Per address per appeal; 0 turns a limit off. An appeal may set its own. */
  perAddressPerMinute: number;
  perAddressPerHour: number;
  /** Per canonical email, all appeals together. */
  perEmailPerHour: number;
  /** Per address, all appeals together. */
  perAddressSitePerHour: number;
};

export type AppealLimits = { id: string; signLimitPerMinute: number | null; signLimitPerHour: number | null };

export type LimitName = "address-minute" | "address-hour" | "email-hour" | "address-site-hour";

export type SigningLimitCounter = {
  /** Counts one submission; the first limit it goes over, if any. */
  count: (appeal: AppealLimits, submission: { clientAddress: string; emailCanonical: string }) => Promise<LimitName | null>;
  /** Whether this address is past half of any of its limits for this appeal (proof of work then turns on). */
  isNearLimit: (appeal: AppealLimits, clientAddress: string) => Promise<boolean>;
};

/** Whether a string is an IPv4 or IPv6 address (what the database's inet column accepts). */
export function isNetworkAddress(candidate: string): boolean {
  return isIP(candidate) !== 0;
}

/** "2001:db8:1:2:3:4:5:6" → "2001:db8:1:2::/64"; IPv4 (also IPv4-mapped IPv6) as it is. */
export function addressForLimits(clientAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(clientAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(clientAddress)) return clientAddress;
  return `${expandIPv6(clientAddress).slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split("%")[0]!;
  const [head = "", tail = ""] = withoutZone.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = withoutZone.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array.from({ length: Math.max(0, missing) }, () => "0"), ...tailGroups];
}

export function createSigningLimitCounter(db: Database, limits: SigningLimits, secret: string): SigningLimitCounter {
  // Points are counted, not enforced, by the library: the limit depends on the appeal.
  const window = (keyPrefix: string, duration: number) => new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix, points: Number.MAX_SAFE_INTEGER, duration });
  const windows = {
    "address-minute": window("sign-minute", 60),
    "address-hour": window("sign-hour", 3600),
    "email-hour": window("sign-email-hour", 3600),
    "address-site-hour": window("sign-site-hour", 3600),
  } satisfies Record<LimitName, RateLimiterPrisma>;
  const hash = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");

  const plan = (appeal: AppealLimits, clientAddress: string, emailCanonical: string | null) => {
    const address = hash(addressForLimits(clientAddress));
    const entries: { name: LimitName; key: string; limit: number }[] = [
      { name: "address-minute", key: `${appeal.id}:${address}`, limit: appeal.signLimitPerMinute ?? limits.perAddressPerMinute },
      { name: "address-hour", key: `${appeal.id}:${address}`, limit: appeal.signLimitPerHour ?? limits.perAddressPerHour },
      { name: "address-site-hour", key: address, limit: limits.perAddressSitePerHour },
    ];
    if (emailCanonical !== null) entries.push({ name: "email-hour", key: hash(`email:${emailCanonical}`), limit: limits.perEmailPerHour });
    return entries.filter((entry) => entry.limit > 0);
  };

  return {
    async count(appeal, submission) {
      let over: LimitName | null = null;
      for (const entry of plan(appeal, submission.clientAddress, submission.emailCanonical)) {
        const result = await windows[entry.name].consume(entry.key);
        if (over === null && result.consumedPoints > entry.limit) over = entry.name;
      }
      return over;
    },
    async isNearLimit(appeal, clientAddress) {
      for (const entry of plan(appeal, clientAddress, null)) {
        const state = await windows[entry.name].get(entry.key);
        if (state && state.consumedPoints * 2 >= entry.limit) return true;
      }
      return false;
    },
  };
}
