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

export function createDatabaseClient(databaseUrl: string, options: { maxConnections?: number; timeouts?: { connectMs: number; queryMs: number } } = {}): Database {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // Always a bounded connect timeout: without one a dead database makes everything hang.
    connectionTimeoutMillis: options.timeouts?.connectMs ?? 5_000,
    query_timeout: options.timeouts?.queryMs,
  });
  return new PrismaClient({ adapter });
}
