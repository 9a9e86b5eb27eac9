import { setFlagsFromString } from "node:v8";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";

export type Database = PrismaClient;
/** What a function inside `db.$transaction(async (tx) => …)` receives. */
export type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/** Either the client or an open transaction: domain functions accept both. */
export type DatabaseOrTransaction = Database | Transaction;

/**
 * Time limits for the database work of a web request. A database that is up but does not
 * answer (a lock pile-up, a full disk, a frozen VM) would otherwise hold every request, and the
 * person behind it, for as long as it stays stuck. Connecting and waiting for a free connection
 * are bounded by `connectMs`, each query by `queryMs` (the client gives up; the connection is
 * then thrown away), so a request fails within about five seconds with a 503 (see
 * database-availability.server.ts) and the pool refills by itself once the database answers.
 */
export const requestDatabaseTimeouts = { connectMs: 3_000, queryMs: 4_000 } as const;

/**
 * Prisma's query compiler is WebAssembly, and V8 would first compile it quickly (Liftoff), then
 * again in the background into optimised code (TurboFan), holding both. Its plans are cached per
 * query shape, so the compiler runs rarely once a process is warm and the optimised copy buys
 * nothing measurable (sign and confirm rates unchanged, bench/http.ts), while keeping only the
 * first saves about 20 MB per process (decision 029). The flag is read when a module is compiled,
 * which happens on the client's first query, so setting it here, before any client exists, is
 * in time for every process that opens the database.
 */
function keepQueryCompilerUnoptimised(): void {
  setFlagsFromString("--liftoff-only");
}

/**
 * Statements that say so in their first line (`-- prepared: <name>`) are prepared once per
 * connection and then only executed: PostgreSQL plans them a few times and then keeps a plan.
 * For a statement of many parts (writing submissions, decision 035) planning took about as long
 * as running it. Other statements stay unnamed: Prisma's SQL varies with its arguments (a list
 * of ids of any length), and every name a connection prepares stays with it.
 */
const preparedStatementMarker = "-- prepared: ";

function preparedStatementName(query: { sql: string }): string | undefined {
  const start = query.sql.trimStart();
  if (!start.startsWith(preparedStatementMarker)) return undefined;
  const lineEnd = start.indexOf("\n");
  const name = start.slice(preparedStatementMarker.length, lineEnd === -1 ? undefined : lineEnd).trim();
  return name || undefined;
}

export function createDatabaseClient(databaseUrl: string, options: { maxConnections?: number; timeouts?: { connectMs: number; queryMs: number } } = {}): Database {
  keepQueryCompilerUnoptimised();
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // Always a bounded connect timeout: without one a dead database makes everything hang.
    connectionTimeoutMillis: options.timeouts?.connectMs ?? 5_000,
    query_timeout: options.timeouts?.queryMs,
    // A lock wait ends on the server a second before the client would give up: the statement is
    // then rolled back, where a client giving up leaves it running, perhaps to commit unseen. A
    // batch of signatures waiting on one row an organizer's bulk change holds fails early and
    // is written again submission by submission (group-commit.ts).
    lock_timeout: options.timeouts ? Math.max(1, options.timeouts.queryMs - 1_000) : undefined,
  // The adapter passes the name on to `pg`, where undefined means an unnamed statement; its type says string.
  }, { statementNameGenerator: preparedStatementName as (query: { sql: string }) => string });
  return new PrismaClient({ adapter });
}
