import path from "node:path";
import pg from "pg";
import { StartupError, type DatabaseSettings } from "./config.server";

/** The database a process works on, and how to let go of it. */
export type DatabaseConnection = {
  url: string;
  /** The database for people: `postgres://user@host:port/name` without the password. */
  description: string;
  /** Set when the embedded cluster is shared with the process that started it. */
  sharedEmbeddedServer: { postmasterPid: number; ownerPid: number } | null;
  stop: () => Promise<void>;
};

type Say = (line: string) => void;

/**
 * The one way every process finds its database — the web server, the worker, the db:* scripts
 * and the command-line tools — so they all work on the same one for the same settings:
 * DATABASE_URL when set (waiting a bounded time for it to answer), else the embedded cluster
 * under DATA_DIR/postgres (started, or shared with the process that runs it).
 */
export async function openDatabase(settings: DatabaseSettings, say: Say, options: { debug?: Say } = {}): Promise<DatabaseConnection> {
  if (settings.databaseUrl) {
    await waitForDatabase(settings.databaseUrl, settings.databaseWaitMs, say);
    return { url: settings.databaseUrl, description: describeDatabaseUrl(settings.databaseUrl), sharedEmbeddedServer: null, stop: async () => {} };
  }
  // Loaded only here: with DATABASE_URL set (always, in production) the stand-in never runs.
  const { startEmbeddedPostgres } = await import("~/local/embedded-postgres.server");
  const dataDir = path.join(settings.dataDir, "postgres");
  try {
    const embedded = await startEmbeddedPostgres({ dataDir, onLog: options.debug });
    const where = embedded.clusterDir === dataDir ? dataDir : `${embedded.clusterDir} (the "postgres" OS user cannot enter ${dataDir})`;
    say(
      embedded.sharedWith
        ? `Using the embedded Postgres that process ${embedded.sharedWith} runs from ${where}.`
        : `Embedded Postgres started from ${where} (DATABASE_URL is not set).`,
    );
    return {
      url: embedded.url,
      description: `the embedded Postgres in ${where}`,
      sharedEmbeddedServer: embedded.sharedWith ? { postmasterPid: embedded.postmasterPid, ownerPid: embedded.sharedWith } : null,
      stop: embedded.stop,
    };
  } catch (error) {
    throw new StartupError(
      `The embedded Postgres (used because DATABASE_URL is not set) could not start from ${dataDir}: ` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        `Set DATA_DIR to another folder, or DATABASE_URL to use a Postgres server.`,
    );
  }
}

/** SQLSTATEs that waiting will not cure: wrong password, no such role, not allowed in. */
const hopeless = new Set(["28P01", "28000", "42501"]);

/**
 * Resolves once the database answers a query. A server that is down, starting or unreachable
 * is retried until `waitMs`; then, or at once for a wrong password, a StartupError names
 * DATABASE_URL. Each attempt is bounded, so a server that accepts connections and never
 * answers cannot hold start-up for longer than `waitMs` either.
 */
export async function waitForDatabase(databaseUrl: string, waitMs: number, say: Say): Promise<void> {
  const description = describeDatabaseUrl(databaseUrl);
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    const remaining = deadline - Date.now();
    // Short attempts, so a server that accepts connections and never answers is reported soon.
    const attemptMs = Math.max(500, Math.min(2_000, remaining));
    const problem = await tryDatabase(databaseUrl, attemptMs);
    if (problem === null) return;
    if (hopeless.has(problem.code)) {
      throw new StartupError(`The database in DATABASE_URL (${description}) refused the connection: ${problem.message}. Check the user and password in DATABASE_URL.`);
    }
    if (!announced) {
      say(`Waiting for the database in DATABASE_URL (${description}) to answer (${problem.message}); giving up after ${Math.round(waitMs / 1000)} s…`);
      announced = true;
    }
    if (Date.now() + 500 >= deadline) {
      throw new StartupError(
        `Could not reach the database in DATABASE_URL (${description}) within ${Math.round(waitMs / 1000)} s: ${problem.message}. ` +
          `Check that DATABASE_URL is right and that the server is running and accepting connections (DATABASE_WAIT_SECONDS sets how long to wait).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, deadline - Date.now()))));
  }
}

/** Null when the database answers `SELECT 1` within `timeoutMs`; else what went wrong. */
async function tryDatabase(databaseUrl: string, timeoutMs: number): Promise<{ code: string; message: string } | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // A database that does not exist yet is reachable: the migrations create it.
    if (code === "3D000") return null;
    const raw = error instanceof Error ? error.message || String(code ?? "") : String(error);
    // pg says "timeout expired" or "Query read timeout": the server took the connection but said nothing.
    const message = /timeout/i.test(raw) || raw === "" ? `no answer within ${(timeoutMs / 1000).toFixed(1)} s` : raw.replace(/\.$/, "");
    return { code: typeof code === "string" ? code : "", message };
  } finally {
    await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 200))]);
  }
}

/** `postgres://user:secret@host:5432/db?x` → `postgres://user@host:5432/db`: safe to print. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return "an unreadable URL";
  }
}
