import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";

export type BenchDatabase = {
  url: string;
  /** "embedded", or the host of BENCH_DATABASE_URL. */
  server: string;
  /** Drops the database and stops an embedded server this started. */
  drop: () => Promise<void>;
};

/**
 * A database of its own for one benchmark run: on BENCH_DATABASE_URL's server, else on an embedded
 * Postgres under the system's temporary folder. Named after the benchmark, with a random suffix.
 */
export async function createBenchDatabase(benchmark: string): Promise<BenchDatabase> {
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), "undersign-bench-postgres"), database: "postgres" });
  const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? embedded!.url);
  const name = `undersign_bench_${benchmark}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    server: embedded ? "embedded" : serverUrl.host,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
    },
  };
}

/**
 * A `pg` pool for a benchmark's own queries. `pool.end()` resolves before its connections have
 * closed, so dropping the database right after (`WITH (FORCE)`) can still reach one; the pool
 * then reports the termination as an error, which must not end the process after the figures.
 */
export function openBenchPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", (error) => console.warn(`(a benchmark connection ended: ${error.message})`));
  return pool;
}
