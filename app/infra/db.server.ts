import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";

export type Database = PrismaClient;
/** What a function inside `db.$transaction(async (tx) => …)` receives. */
export type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/** Either the client or an open transaction: domain functions accept both. */
export type DatabaseOrTransaction = Database | Transaction;

export function createDatabaseClient(databaseUrl: string, options: { maxConnections?: number } = {}): Database {
  // A bounded connect timeout: without one a dead database makes requests (and /healthz) hang.
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}
