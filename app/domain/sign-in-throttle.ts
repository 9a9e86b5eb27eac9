import { createHmac } from "node:crypto";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "~/infra/db.server";
import { addressForLimits } from "./signing-limits.server";

/**
 * Sign-in attempts, counted in the same Postgres-backed counters as the sign form's rate limit
 * (shared by every web process). Keys are HMACs: the table holds neither addresses nor email
 * addresses.
 *
 * An attempt takes its point before the password is checked, and a success gives it back: the
 * count and the check are one atomic step, so a burst of parallel guesses gets no more tries
 * than the same guesses one after another (counting after the check let every request of a
 * burst through before the first failure was counted).
 *
 * Three windows. Per account and network address, a handful: someone mistyping, or a guesser
 * at one address. Per network address, across accounts: one machine trying many. Per account
 * from anywhere, ten times the first: a guesser spread over many addresses is still held to a
 * few dozen tries in a window, while a stranger who knows an organizer's address can no longer
 * lock them out with five wrong passwords from one machine.
 */
export type SignInLimits = { perAccountAndAddress: number; perAccount: number; perAddress: number; windowSeconds: number };

export const defaultSignInLimits: SignInLimits = { perAccountAndAddress: 5, perAccount: 50, perAddress: 20, windowSeconds: 15 * 60 };

export type SignInAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean };

export type SignInThrottle = {
  /** Counts an attempt; refused once any window is full. `firstRefusal`: the attempt that filled it, the one worth an audit entry. */
  attempt: (emailCanonical: string, clientAddress: string) => Promise<SignInAttempt>;
  /** A successful sign-in: the failures from its address are forgiven, and the attempt itself no longer counts anywhere. */
  succeeded: (emailCanonical: string, clientAddress: string) => Promise<void>;
};

export function createSignInThrottle(db: Database, secret: string, limits: SignInLimits = defaultSignInLimits): SignInThrottle {
  const limiter = (keyPrefix: string, points: number) => new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix, points, duration: limits.windowSeconds });
  const perAccountAndAddress = limiter("sign-in-account-address", limits.perAccountAndAddress);
  const perAccount = limiter("sign-in-account", limits.perAccount);
  const perAddress = limiter("sign-in-address", limits.perAddress);
  const key = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");
  const windows = (emailCanonical: string, clientAddress: string) => {
    // An IPv6 network by its /64, as the sign form's limits count it: one household or server
    // has the whole /64 to choose from, and a new address for every few guesses must not help.
    const network = addressForLimits(clientAddress);
    return [
      [perAccountAndAddress, key(`account-address:${emailCanonical}|${network}`)],
      [perAddress, key(`address:${network}`)],
      [perAccount, key(`account:${emailCanonical}`)],
    ] as const;
  };
  /**
   * Gives an attempt's point back, only to a window still open: the library's reward() would
   * start a new window at -1 where the old one had just ended or been cleared by a success.
   */
  const giveBack = (window: RateLimiterPrisma, windowKey: string) =>
    db.rateLimit.updateMany({ where: { key: window.getKey(windowKey), points: { gt: 0 }, expire: { gt: new Date() } }, data: { points: { decrement: 1 } } });

  return {
    async attempt(emailCanonical, clientAddress) {
      const counted: (readonly [RateLimiterPrisma, string])[] = [];
      for (const [window, windowKey] of windows(emailCanonical, clientAddress)) {
        try {
          await window.consume(windowKey);
          counted.push([window, windowKey]);
        } catch (refusal) {
          // A refused attempt counts only in the window that refused it: a guesser held at one
          // address must not use up the account's allowance for everyone else. An attempt the
          // database could not count at all counts nowhere: the organizer typed nothing wrong.
          for (const [earlier, earlierKey] of counted) await giveBack(earlier, earlierKey).catch(() => undefined);
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
          const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
          return { allowed: false, retryAfterSeconds, firstRefusal: refusal.consumedPoints === window.points + 1 };
        }
      }
      return { allowed: true };
    },
    async succeeded(emailCanonical, clientAddress) {
      const [[, accountAndAddressKey], [, addressKey], [, accountKey]] = windows(emailCanonical, clientAddress);
      // Mistakes made from this address are forgiven: the password came from here. Failures
      // from elsewhere are not: a guesser spread over many addresses keeps his count through
      // the organizer's own sign-ins, which only take back their own point.
      await perAccountAndAddress.delete(accountAndAddressKey);
      await giveBack(perAccount, accountKey);
      await giveBack(perAddress, addressKey);
    },
  };
}
