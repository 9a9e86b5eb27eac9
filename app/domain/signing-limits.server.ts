import { createHmac } from "node:crypto";
import { isIP, isIPv6 } from "node:net";
import type { Database } from "~/infra/db.server";
import { Prisma } from "~/generated/prisma/client";

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
  /**
   * The counters one submission goes up by, in the order its limits are checked. They are
   * counted by the statement that writes the submission (countSigningLimits), so that a
   * signature costs one commit, not one for its counts and another for its row.
   */
  countersFor: (appeal: AppealLimits, submission: { clientAddress: string; emailCanonical: string }) => LimitCounter[];
  /** Whether this address is past half of any of its limits for this appeal (proof of work then turns on). */
  isNearLimit: (appeal: AppealLimits, clientAddress: string) => Promise<boolean>;
};

/** One counter a submission goes up by: its key (an HMAC, never the address or email), window and limit. */
export type LimitCounter = { name: LimitName; key: string; seconds: number; limit: number };

/**
 * Whether a string is an IPv4 or IPv6 address that the database's inet type accepts: Node also
 * calls a link-local address with its zone ("fe80::1%eth0") one, which inet refuses, and one such
 * address would fail the statement that writes every submission of its moment.
 */
export function isNetworkAddress(candidate: string): boolean {
  return isIP(candidate) !== 0 && !candidate.includes("%");
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

/** Each limit's window, and the prefix of its counters' keys (as rate-limiter-flexible wrote them before). */
const windows: Record<LimitName, { keyPrefix: string; seconds: number }> = {
  "address-minute": { keyPrefix: "sign-minute", seconds: 60 },
  "address-hour": { keyPrefix: "sign-hour", seconds: 3600 },
  "email-hour": { keyPrefix: "sign-email-hour", seconds: 3600 },
  "address-site-hour": { keyPrefix: "sign-site-hour", seconds: 3600 },
};

/**
 * The counters are rows of the RateLimit table, as rate-limiter-flexible keeps them (its
 * RateLimiterPrisma store still serves the sign-in throttle and clears expired rows), but
 * submissions count in all their windows with one statement: signing is the hot path, and the
 * store's delete-then-upsert per window cost about ten round trips per signature.
 */
export function createSigningLimitCounter(db: Database, limits: SigningLimits, secret: string): SigningLimitCounter {
  const hash = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");

  const plan = (appeal: AppealLimits, clientAddress: string, emailCanonical: string | null): LimitCounter[] => {
    const address = hash(addressForLimits(clientAddress));
    const entries: { name: LimitName; key: string; limit: number }[] = [
      { name: "address-minute", key: `${appeal.id}:${address}`, limit: appeal.signLimitPerMinute ?? limits.perAddressPerMinute },
      { name: "address-hour", key: `${appeal.id}:${address}`, limit: appeal.signLimitPerHour ?? limits.perAddressPerHour },
      { name: "address-site-hour", key: address, limit: limits.perAddressSitePerHour },
    ];
    if (emailCanonical !== null) entries.push({ name: "email-hour", key: hash(`email:${emailCanonical}`), limit: limits.perEmailPerHour });
    return entries
      .filter((entry) => entry.limit > 0)
      .map((entry) => ({ ...entry, key: `${windows[entry.name].keyPrefix}:${entry.key}`, seconds: windows[entry.name].seconds }));
  };

  return {
    countersFor: (appeal, submission) => plan(appeal, submission.clientAddress, submission.emailCanonical),
    async isNearLimit(appeal, clientAddress) {
      const entries = plan(appeal, clientAddress, null);
      if (entries.length === 0) return false;
      const current = await db.$queryRaw<{ key: string; points: number }[]>`
        SELECT key, points FROM "RateLimit" WHERE key = ANY(${entries.map((entry) => entry.key)}::text[]) AND expire > now()`;
      const points = new Map(current.map((row) => [row.key, row.points]));
      return entries.some((entry) => (points.get(entry.key) ?? 0) * 2 >= entry.limit);
    },
  };
}

/**
 * Two parts of a WITH clause that count submissions (one list of counters each, by their
 * position in the statement's input) and name, for each submission over a limit, the first
 * limit it went over: "limitCounts" (key, points) and "overLimit" (ordinal, "limitName").
 *
 * A counter several submissions share goes up by all of them at once; each submission's own
 * value is then worked out in the order they came, as if counted one by one. An expired window
 * starts again. Rows are locked in key order, so statements sharing counters cannot deadlock;
 * the statement that uses these must lock nothing before them.
 */
export function countSigningLimits(submissions: LimitCounter[][]): Prisma.Sql {
  const batch = new Map<string, { seconds: number; added: number }>();
  const checks = submissions.flatMap((counters, ordinal) =>
    counters.map(({ name, key, seconds, limit }, rank) => {
      const counter = batch.get(key) ?? { seconds, added: 0 };
      counter.added += 1;
      batch.set(key, counter);
      return { ordinal, rank, name, key, limit, position: counter.added };
    }),
  );
  const keys = [...batch.keys()];
  const column = <T,>(pick: (check: (typeof checks)[number]) => T) => checks.map(pick);
  return Prisma.sql`
    "limitCounts" AS (
      INSERT INTO "RateLimit" (key, points, expire)
      SELECT key, added, now() + make_interval(secs => seconds)
      FROM unnest(${keys}::text[], ${keys.map((key) => batch.get(key)!.seconds)}::int[], ${keys.map((key) => batch.get(key)!.added)}::int[]) AS counter(key, seconds, added)
      ORDER BY key
      ON CONFLICT (key) DO UPDATE SET
        points = CASE WHEN "RateLimit".expire > now() THEN "RateLimit".points + EXCLUDED.points ELSE EXCLUDED.points END,
        expire = CASE WHEN "RateLimit".expire > now() THEN "RateLimit".expire ELSE EXCLUDED.expire END
      RETURNING key, points
    ),
    "overLimit" AS (
      SELECT DISTINCT ON (checked.ordinal) checked.ordinal, checked.name AS "limitName"
      FROM unnest(${column((check) => check.ordinal)}::int[], ${column((check) => check.rank)}::int[], ${column((check) => check.name)}::text[],
                  ${column((check) => check.key)}::text[], ${column((check) => check.limit)}::bigint[], ${column((check) => check.position)}::int[],
                  ${column((check) => batch.get(check.key)!.added)}::int[])
           AS checked(ordinal, rank, name, key, "limit", position, added)
      JOIN "limitCounts" counted ON counted.key = checked.key
      -- What the counter stood at once this submission had counted.
      WHERE counted.points - checked.added + checked.position > checked."limit"
      ORDER BY checked.ordinal, checked.rank
    )`;
}
