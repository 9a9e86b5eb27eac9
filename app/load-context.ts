import type { DecidedFormPost } from "~/form-posts.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import type { SignInThrottle } from "~/domain/sign-in-throttle";
import type { RequestLimit } from "~/domain/request-limit";
import type { SigningLimitCounter, SigningLimits } from "~/domain/signing-limits.server";
import type { SiteSettings } from "~/domain/site";
import type pg from "pg";
import type { Config } from "~/infra/config.server";
import type { Database } from "~/infra/db.server";
import type { Logger } from "~/infra/logger.server";

declare module "@remix-run/node" {
  /** What server.ts hands every loader and action: the process's shared services. */
  interface AppLoadContext {
    db: Database;
    log: Logger;
    publicUrl: string;
    /** The visitor's network address (see TRUST_PROXY). */
    clientAddress: string;
    /** Signatures per address, per email and site-wide (over a limit, a signature is held). */
    signingLimits: SigningLimitCounter;
    /** The site's default limits, shown where an appeal may set its own. */
    siteSigningLimits: SigningLimits;
    /** "Forgot password" requests per network address. */
    passwordResetLimit: RequestLimit;
    /** Signs the sign form's issue time (and keys HMACs). */
    secret: string;
    /** A sign form sent back sooner than this is held (SIGN_MIN_FILL_SECONDS). */
    minimumFillTimeMs: number;
    /** Failed organizer sign-ins, per account and per address. */
    signInThrottle: SignInThrottle;
    /** Set only in local development without SMTP_URL. */
    devMailboxDirectory: string | null;
    /** The organizer whose session cookie came with the request, if any (see organizer-guard.server.ts). */
    organizer: SignedInOrganizer | null;
    /** Organizer session timeouts and cookie security. */
    sessions: Config["sessions"];
    /** A raw pg pool for what Prisma cannot do: streaming large reads (exports). */
    pg: pg.Pool;
    /**
     * The interface's language, worked out once per request from ?lang=, the language cookie or
     * Accept-Language (see resolveVisitorLanguage); may carry a region ("en-GB").
     */
    locale: string;
    /**
     * Which translation of an appeal the visitor reads: the language they last chose (which may
     * be one the interface does not speak), else the interface's.
     */
    readingLanguage: string;
    /** This response's Content-Security-Policy nonce, for the inline scripts Remix writes. */
    cspNonce: string;
    /** Who runs the site and how long network addresses are kept: the privacy notice and imprint. */
    site: SiteSettings;
    /**
     * A browser's post of the sign or confirm form that the web process has already submitted
     * (infra/direct-form-posts.server.ts): the route shows its outcome instead of submitting again.
     */
    decidedFormPost: DecidedFormPost | null;
  }
  // Loaders' types as single fetch delivers them (Dates stay Dates).
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
