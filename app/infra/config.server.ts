import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { SigningLimits } from "~/domain/signing-limits.server";
import type { SiteSettings } from "~/domain/site";

/**
 * Every setting Undersign reads, validated once at start-up. Nothing else reads process.env.
 * Outside production every variable may be left unset: the app then runs on an embedded
 * Postgres and a local mailbox, so `npm start` works on a fresh machine.
 */

/** What anything that opens the database reads: the app, the worker, the db:* scripts and CLIs. */
const databaseVariables = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection URL")
    .optional(),
  DATABASE_WAIT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  DATA_DIR: z.string().default(".data"),
};

const environmentSchema = z
  .object({
    ...databaseVariables,
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587")
      .optional(),
    MAIL_FROM: z.string().min(3).optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://sign.example.org" }).optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z
      .string()
      .regex(/^[\w.:-]+$/, "must be an address to listen on, such as 127.0.0.1, 0.0.0.0 or ::")
      .optional(),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    RUN_WORKER: z.enum(["true", "false"]).default("true"),
    WEB_PROCESSES: z
      .union([z.literal("auto"), z.coerce.number().int().min(1).max(64)], { error: 'must be a number of processes (1–64) or "auto" (one per core)' })
      .default(1),
    PAGE_CACHE_SECONDS: z.coerce.number().min(0).max(10).default(1),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    UPDATE_EMAILS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
    SIGN_LIMIT_PER_IP_MINUTE: z.coerce.number().int().min(0).default(20),
    SIGN_LIMIT_PER_IP_HOUR: z.coerce.number().int().min(0).default(200),
    SIGN_LIMIT_PER_EMAIL_HOUR: z.coerce.number().int().min(0).default(20),
    SIGN_LIMIT_PER_IP_SITE_HOUR: z.coerce.number().int().min(0).default(1000),
    SIGN_MIN_FILL_SECONDS: z.coerce.number().min(0).max(60).default(2),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(120),
    SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24),
    NETWORK_ADDRESS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    OPERATOR_NAME: z.string().trim().min(1).max(200).optional(),
    OPERATOR_ADDRESS: z.string().trim().min(1).max(1000).optional(),
    OPERATOR_EMAIL: z.email("must be an email address such as privacy@example.org").optional(),
    PRIVACY_CONTACT_EMAIL: z.email("must be an email address such as privacy@example.org").optional(),
    OPERATOR_REGISTER: z.string().trim().min(1).max(300).optional(),
    OPERATOR_REPRESENTATIVE: z.string().trim().min(1).max(300).optional(),
    PRIVACY_SUPERVISORY_AUTHORITY: z.string().trim().min(1).max(500).optional(),
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d+|[\w.:/, -]+)$/, "must be false, true, a number of proxies, or addresses/subnets")
      .default("false"),
  })
  .superRefine((env, ctx) => {
    // The embedded Postgres of a local start belongs to one process; several need a real server.
    if (env.WEB_PROCESSES !== 1 && !env.DATABASE_URL) {
      ctx.addIssue({ code: "custom", path: ["WEB_PROCESSES"], message: "above 1 needs DATABASE_URL (the embedded Postgres of a local start serves one process)" });
    }
    if (env.NODE_ENV !== "production") return;
    // In production nothing may fall back to a local stand-in: a missing setting is a mistake.
    // The privacy notice and the imprint must name who runs the site.
    for (const key of ["DATABASE_URL", "SMTP_URL", "MAIL_FROM", "PUBLIC_URL", "SESSION_SECRET", "OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_EMAIL"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required when NODE_ENV=production" });
    }
    // Session cookies are Secure in production, which browsers send only over HTTPS (or to localhost).
    if (env.PUBLIC_URL && !/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(env.PUBLIC_URL)) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "must be an https:// URL when NODE_ENV=production" });
    }
  });

const databaseSchema = z.object(databaseVariables).superRefine((env, ctx) => {
  if (env.NODE_ENV === "production" && !env.DATABASE_URL) {
    ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "is required when NODE_ENV=production" });
  }
});

/** Where the database is: DATABASE_URL, or else the embedded cluster under DATA_DIR. */
export type DatabaseSettings = {
  isProduction: boolean;
  /** Unset means: start (or share) the embedded Postgres under dataDir. */
  databaseUrl: string | undefined;
  /** How long start-up waits for a database that does not answer. */
  databaseWaitMs: number;
  dataDir: string;
};

export type Config = DatabaseSettings & {
  port: number;
  /**
   * The address to listen on. Outside production only this machine (127.0.0.1) unless HOST
   * says otherwise: a development copy shows its mailbox and is not meant for the network.
   * In production every interface, unless HOST narrows it.
   */
  host: string | undefined;
  publicUrl: string;
  /** Unset means: run the local dev mailbox (an SMTP server inside the app). */
  smtpUrl: string | undefined;
  mailFrom: string;
  sessionSecret: string;
  logLevel: string;
  runWorker: boolean;
  workerConcurrency: number;
  /** UPDATE_EMAILS_PER_MINUTE: how fast an update to signers goes out (each worker, each update). */
  updateEmailsPerMinute: number;
  /**
   * How many web processes serve the port (node:cluster), so that requests use every core.
   * With more than one, the first process only supervises: it starts them, replaces one that
   * dies, and runs the worker (RUN_WORKER) itself.
   */
  webProcesses: number;
  /**
   * How long a public page, as rendered for visitors who are not signed in, is served from
   * memory before it is rendered again (0: never). Counts on it are at most this old.
   */
  pageCacheMs: number;
  /**
   * On SIGTERM: how long requests in flight (and a worker's running jobs) may take to finish
   * before the connections still open are closed and the process ends anyway.
   */
  shutdownTimeoutMs: number;
  signingLimits: SigningLimits;
  /** A sign form sent back sooner than this after it was handed out is held. */
  minimumFillTimeMs: number;
  /** Organizer sessions: idle and absolute timeouts; cookies Secure and __Host- in production. */
  sessions: { idleMs: number; absoluteMs: number; secureCookie: boolean };
  /** Express "trust proxy": which X-Forwarded-For hops to believe for the client's address. */
  trustProxy: boolean | number | string;
  /** Who runs the site (privacy notice, imprint) and how long network addresses are kept. */
  site: SiteSettings;
};

/**
 * A mistake a person can fix in their settings or machine: shown as its message alone, never
 * with a stack trace, and the process exits 1.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

export class ConfigError extends StartupError {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function parseEnvironment<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  return parsed.data;
}

function databaseSettingsFrom(values: z.infer<typeof databaseSchema>): DatabaseSettings {
  return {
    isProduction: values.NODE_ENV === "production",
    databaseUrl: values.DATABASE_URL,
    databaseWaitMs: values.DATABASE_WAIT_SECONDS * 1000,
    dataDir: path.resolve(values.DATA_DIR),
  };
}

/** Only what opening the database needs: for the db:* scripts and command-line tools. */
export function loadDatabaseSettings(env: Record<string, string | undefined> = process.env): DatabaseSettings {
  const settings = databaseSettingsFrom(parseEnvironment(databaseSchema, env));
  if (!settings.databaseUrl) assertDataDirUsable(settings.dataDir);
  return settings;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values = parseEnvironment(environmentSchema, env);
  const database = databaseSettingsFrom(values);
  // DATA_DIR holds the embedded database, the dev mailbox and the local session secret.
  if (!values.DATABASE_URL || !values.SMTP_URL || !values.SESSION_SECRET) assertDataDirUsable(database.dataDir);
  return {
    ...database,
    port: values.PORT,
    host: values.HOST ?? (values.NODE_ENV === "production" ? undefined : "127.0.0.1"),
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ""),
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM ?? "Undersign <undersign@localhost>",
    sessionSecret: values.SESSION_SECRET ?? readOrCreateLocalSecret(database.dataDir),
    logLevel: values.LOG_LEVEL,
    runWorker: values.RUN_WORKER === "true",
    workerConcurrency: values.WORKER_CONCURRENCY,
    updateEmailsPerMinute: values.UPDATE_EMAILS_PER_MINUTE,
    webProcesses: values.WEB_PROCESSES === "auto" ? os.availableParallelism() : values.WEB_PROCESSES,
    pageCacheMs: values.PAGE_CACHE_SECONDS * 1000,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    signingLimits: {
      perAddressPerMinute: values.SIGN_LIMIT_PER_IP_MINUTE,
      perAddressPerHour: values.SIGN_LIMIT_PER_IP_HOUR,
      perEmailPerHour: values.SIGN_LIMIT_PER_EMAIL_HOUR,
      perAddressSitePerHour: values.SIGN_LIMIT_PER_IP_SITE_HOUR,
    },
    minimumFillTimeMs: values.SIGN_MIN_FILL_SECONDS * 1000,
    sessions: {
      idleMs: values.SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: values.SESSION_MAX_HOURS * 3_600_000,
      secureCookie: values.NODE_ENV === "production",
    },
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    site: siteSettingsFrom(values),
  };
}

/**
 * Outside production an unset operator setting becomes a placeholder that names the variable,
 * so a local copy shows at a glance what an operator has to fill in (production requires them).
 * OPERATOR_ADDRESS takes its lines separated by real line breaks or by "\n" as typed in a .env file.
 */
function siteSettingsFrom(values: z.infer<typeof environmentSchema>): SiteSettings {
  const operatorEmail = values.OPERATOR_EMAIL ?? "set-OPERATOR_EMAIL@undersign.invalid";
  return {
    operator: {
      name: values.OPERATOR_NAME ?? "(set OPERATOR_NAME)",
      addressLines: (values.OPERATOR_ADDRESS ?? "(set OPERATOR_ADDRESS)")
        .split(/\\n|\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== ""),
      email: operatorEmail,
      register: values.OPERATOR_REGISTER ?? null,
      representative: values.OPERATOR_REPRESENTATIVE ?? null,
    },
    privacyContactEmail: values.PRIVACY_CONTACT_EMAIL ?? operatorEmail,
    supervisoryAuthority: values.PRIVACY_SUPERVISORY_AUTHORITY ?? null,
    networkAddressRetentionDays: values.NETWORK_ADDRESS_RETENTION_DAYS,
  };
}

/**
 * Believing X-Forwarded-For from anyone would let a client pick its own address (and dodge
 * rate limits), so by default it is ignored; behind a load balancer set TRUST_PROXY to the
 * number of proxies in front of the app, or their addresses.
 */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** DATA_DIR must be a folder we can create and write; otherwise say so, naming the variable. */
function assertDataDirUsable(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError([
      `DATA_DIR (${dataDir}) cannot be used as a data folder (${reason}). Point DATA_DIR at a folder this user can create and write, or unset it to use ./.data.`,
    ]);
  }
}

/** Outside production a secret is made once and kept, so sign forms already served and limit counters survive restarts. */
function readOrCreateLocalSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // Not created yet.
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
