import type { AppLoadContext } from "@remix-run/node";
import pg from "pg";
import { createSignInThrottle } from "~/domain/sign-in-throttle";
import { createRequestLimit } from "~/domain/request-limit";
import { createSigningLimitCounter } from "~/domain/signing-limits.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import type { SiteSettings } from "~/domain/site";
import type { Database } from "~/infra/db.server";
import { createLogger } from "~/infra/logger.server";

/** An operator as production would name one, for pages written from these settings. */
export const testSiteSettings: SiteSettings = {
  operator: {
    name: "Civic Letters Association",
    addressLines: ["Civic Letters Association", "12 Harbour Lane", "4000 Porttown"],
    email: "office@civic-letters.example",
    register: "Association register no. 1234, Porttown District Court",
    representative: "Dana Chair",
  },
  privacyContactEmail: "privacy@civic-letters.example",
  supervisoryAuthority: null,
  networkAddressRetentionDays: 30,
};

/** What server.ts hands loaders and actions, for calling a route module directly in a test. */
export function testLoadContext(db: Database, databaseUrl: string, overrides: { organizer?: SignedInOrganizer | null } = {}): AppLoadContext & { close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    db,
    pg: pool,
    log: createLogger("silent"),
    publicUrl: "http://localhost",
    clientAddress: "127.0.0.1",
    signingLimits: createSigningLimitCounter(db, { perAddressPerMinute: 0, perAddressPerHour: 0, perEmailPerHour: 0, perAddressSitePerHour: 0 }, "test-secret"),
    siteSigningLimits: { perAddressPerMinute: 0, perAddressPerHour: 0, perEmailPerHour: 0, perAddressSitePerHour: 0 },
    passwordResetLimit: createRequestLimit(db, "test-secret", { name: "password-reset", perHour: 10 }),
    secret: "test-secret",
    minimumFillTimeMs: 2_000,
    signInThrottle: createSignInThrottle(db, "test-secret"),
    devMailboxDirectory: null,
    organizer: overrides.organizer ?? null,
    sessions: { idleMs: 2 * 3_600_000, absoluteMs: 24 * 3_600_000, secureCookie: false },
    site: testSiteSettings,
    cspNonce: "test-nonce",
    locale: "en",
    readingLanguage: "en",
    decidedFormPost: null,
    close: () => pool.end(),
  };
}
