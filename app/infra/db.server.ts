import { setFlagsFromString } from "node:v8";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "~/generated/prisma/client";

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

/**
 * Prisma's SQL template tag, for statements built from parts and sent by queryDirect. From here
 * (a .server module) rather than from the generated client, so that domain modules that routes
 * also import keep the client out of the browser bundle.
 */
export const sql = Prisma.sql;

/**
 * Where a client keeps the pool behind it, for the statements sent past Prisma (queryDirect). A
 * symbol of the runtime's registry, not a module's WeakMap: the production build holds two
 * copies of this module (the server's bundle and Remix's), and a client made by one is used by
 * both.
 */
const poolKey = Symbol.for("undersign.pg-pool");

function poolBehind(db: Database): pg.Pool | undefined {
  return (db as unknown as Record<symbol, pg.Pool | undefined>)[poolKey];
}

export function createDatabaseClient(databaseUrl: string, options: { maxConnections?: number; timeouts?: { connectMs: number; queryMs: number } } = {}): Database {
  keepQueryCompilerUnoptimised();
  const pool = new pg.Pool({
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
  });
  // A connection the server drops while idle (a restart, a dropped database) is taken out of the
  // pool by pg, which then emits this event; with no listener it would end the process. Prisma
  // listens only once it has connected, and statements sent by queryDirect may come first. The
  // next query opens a new connection, and a database that stays away shows in /healthz.
  pool.on("error", () => undefined);
  // The adapter passes the name on to `pg`, where undefined means an unnamed statement; its type says string.
  const adapter = new PrismaPg(pool, { statementNameGenerator: preparedStatementName as (query: { sql: string }) => string });
  const client = new PrismaClient({ adapter });
  Object.defineProperty(client, poolKey, { value: pool });
  // The pool is ours, so disconnecting ends it, whether or not Prisma itself ever connected.
  const disconnectPrisma = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnectPrisma();
    if (!pool.ending) await pool.end();
  };
  return client;
}

/**
 * A statement of the hot paths (signing, confirming), sent by `pg` on the pool behind Prisma
 * instead of through Prisma's request pipeline, which cost the web process more CPU per
 * statement than building and reading the statement itself (about a tenth of a signature's
 * web CPU, docs/benchmarks.md). The same connections, time limits and prepared statements
 * (`-- prepared: <name>`); rows come as `pg` reads them: timestamps as Date, json parsed,
 * int4 as number, but int8 and numeric as strings, so a statement sent this way must cast any
 * it returns. A client made elsewhere (a test's own) goes through Prisma.
 */
export async function queryDirect<Row extends object>(db: Database, query: Prisma.Sql): Promise<Row[]> {
  const pool = poolBehind(db);
  if (!pool) return db.$queryRaw<Row[]>(query);
  const { rows } = await pool.query<Row>({ text: query.text, values: query.values, name: preparedStatementName({ sql: query.text }) });
  return rows;
}
