import { randomInt } from "node:crypto";
import os from "node:os";
import pg from "pg";
import type { Logger } from "~/infra/logger.server";

/**
 * graphile-worker 0.17 marks the jobs a pool is running with the pool's id (`locked_by`), and
 * trusts that lock for 4 hours: a worker process killed mid-batch (SIGKILL, out of memory, a
 * lost machine) would leave its in-flight emails unsent for 4 hours. Here (decision 013):
 *
 * - Each worker process holds a session-level advisory lock on a connection of its own for as
 *   long as it lives, and records each of its pools under that lock's key (QueueWorkerPool).
 *   Postgres releases the lock the moment that connection ends — the process died, or its
 *   machine vanished (server-side TCP keepalives, set below, notice that within ~25 s).
 * - Every worker looks, at start and every few seconds, for recorded pools whose process's lock
 *   is free, and unlocks their jobs (graphile-worker's force_unlock_workers) so they run again
 *   at once. A lock must be seen free for a few seconds on end first: after a Postgres restart
 *   every process lost its lock and takes a new one within a second of reconnecting.
 *
 * A job whose email went out but whose completion was not recorded before the process died is
 * sent again: delivery is at least once, with at most one duplicate per job in flight.
 */

/** First key of every liveness lock: keeps them apart from other advisory locks. */
const lockNamespace = "hashtext('undersign:worker-alive')";
const sweepEveryMs = 2_000;
/** How long a lock must stay free before its pools count as dead (> the time to reconnect). */
const deadAfterFreeForMs = 5_000;
const reconnectEveryMs = 1_000;

export type WorkerLiveness = {
  /** Records a pool of this process (call it from graphile-worker's "pool:create"). */
  register: (poolId: string) => void;
  /** Forgets this process's pools, releases its lock and stops looking for dead workers. */
  stop: () => Promise<void>;
};

/**
 * Takes this process's liveness lock (resolving once it is held, so pools registered from then
 * on are covered) and starts recovering the jobs of dead workers through `pool`.
 */
export async function startWorkerLiveness(options: { databaseUrl: string; pool: pg.Pool; log: Logger }): Promise<WorkerLiveness> {
  const log = options.log.child({ component: "worker-liveness" });
  const claim = await holdLivenessLock(options.databaseUrl, log);
  const recovery = recoverDeadWorkersPeriodically(options.pool, () => claim.lockKey(), log);
  return {
    register: claim.register,
    stop: async () => {
      await recovery.stop();
      await claim.release();
    },
  };
}

type LivenessClaim = {
  /** This process's current key (a new one after each reconnection). */
  lockKey: () => number;
  register: (poolId: string) => void;
  release: () => Promise<void>;
};

/**
 * The dedicated connection holding this process's lock. When it is lost (a Postgres restart),
 * it reconnects every second, takes a fresh key and moves this process's pools to it.
 */
async function holdLivenessLock(databaseUrl: string, log: Logger): Promise<LivenessClaim> {
  const poolIds = new Set<string>();
  let client: pg.Client | null = null;
  let lockKey = 0;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  // One statement at a time, in order: a pool is recorded only under a held lock.
  let queue: Promise<unknown> = Promise.resolve();
  const inOrder = (work: () => Promise<unknown>) => (queue = queue.then(work).catch((error: unknown) => log.warn({ err: describe(error) }, "worker liveness statement failed")));

  const recordPools = (connection: pg.Client, ids: string[]) =>
    connection.query(
      `INSERT INTO "QueueWorkerPool" ("poolId", "lockKey", "host", "pid")
       SELECT unnest($1::text[]), $2, $3, $4
       ON CONFLICT ("poolId") DO UPDATE SET "lockKey" = EXCLUDED."lockKey"`,
      [ids, lockKey, os.hostname(), process.pid],
    );

  const connect = async (): Promise<void> => {
    const connection = new pg.Client({ connectionString: databaseUrl, application_name: "undersign worker liveness", keepAlive: true, connectionTimeoutMillis: 5_000 });
    let lostWith: string | undefined;
    connection.on("error", (error: Error & { code?: string }) => (lostWith = error.code)); // the "end" below handles it
    await connection.connect();
    try {
      // The server notices a vanished machine (no FIN, no RST) within ~25 s and frees the lock.
      await connection.query("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
      lockKey = await takeFreshKey(connection);
      if (poolIds.size > 0) await recordPools(connection, [...poolIds]);
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    connection.once("end", () => {
      client = null;
      if (stopped) return;
      // 57P01: the server is shutting down — expected when Ctrl+C stops the embedded Postgres too.
      if (lostWith === "57P01") log.debug("worker liveness connection closed by the server; reconnecting");
      else log.warn("worker liveness connection lost; reconnecting");
      scheduleReconnect();
    });
    client = connection;
  };
  const scheduleReconnect = () => {
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (stopped) return;
      inOrder(() => connect().catch(() => scheduleReconnect()));
    }, reconnectEveryMs);
    reconnectTimer.unref();
  };

  await connect();
  return {
    lockKey: () => lockKey,
    register: (poolId) => {
      poolIds.add(poolId);
      inOrder(async () => {
        if (client) await recordPools(client, [poolId]);
      });
    },
    release: async () => {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await queue;
      const connection = client;
      client = null;
      if (!connection) return;
      // Forgotten before the lock goes, so nobody takes this clean exit for a death.
      await connection.query(`DELETE FROM "QueueWorkerPool" WHERE "poolId" = ANY($1::text[])`, [[...poolIds]]).catch(() => undefined);
      await connection.end().catch(() => undefined);
    },
  };
}

/** A random key no live process holds; held by `connection` from now on. */
async function takeFreshKey(connection: pg.Client): Promise<number> {
  for (;;) {
    const key = randomInt(-(2 ** 31), 2 ** 31);
    const { rows } = await connection.query<{ taken: boolean }>(`SELECT pg_try_advisory_lock(${lockNamespace}, $1) AS taken`, [key]);
    if (rows[0]?.taken) return key;
  }
}

function recoverDeadWorkersPeriodically(pool: pg.Pool, ownKey: () => number, log: Logger): { stop: () => Promise<void> } {
  const freeSince = new Map<number, number>();
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= recoverDeadWorkers(pool, ownKey(), freeSince, log)
      .catch((error: unknown) => log.warn({ err: describe(error) }, "could not look for the jobs of dead workers"))
      .finally(() => (running = null));
  };
  sweep();
  const timer = setInterval(sweep, sweepEveryMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * One look: every other recorded process whose lock is free, and has been for
 * `deadAfterFreeForMs`, is dead; its jobs are unlocked and its pools forgotten. While we check
 * and unlock we hold its lock ourselves, so two workers never recover the same process at once.
 */
export async function recoverDeadWorkers(pool: pg.Pool, ownKey: number, freeSince: Map<number, number>, log: Logger): Promise<void> {
  const connection = await pool.connect();
  try {
    const { rows } = await connection.query<{ lockKey: number; host: string; pid: number }>(
      `SELECT DISTINCT "lockKey", "host", "pid" FROM "QueueWorkerPool" WHERE "lockKey" <> $1`,
      [ownKey],
    );
    const recorded = new Set(rows.map((row) => row.lockKey));
    for (const key of freeSince.keys()) if (!recorded.has(key)) freeSince.delete(key);

    for (const { lockKey, host, pid } of rows) {
      const { rows: lock } = await connection.query<{ free: boolean }>(`SELECT pg_try_advisory_lock(${lockNamespace}, $1) AS free`, [lockKey]);
      if (!lock[0]?.free) {
        freeSince.delete(lockKey);
        continue;
      }
      try {
        const firstSeenFree = freeSince.get(lockKey) ?? Date.now();
        freeSince.set(lockKey, firstSeenFree);
        if (Date.now() - firstSeenFree < deadAfterFreeForMs) continue;
        const unlocked = await unlockJobsOf(connection, lockKey);
        freeSince.delete(lockKey);
        if (unlocked.jobs > 0) log.warn({ host, pid, poolIds: unlocked.poolIds, jobs: unlocked.jobs }, "a worker stopped without finishing its jobs: they run again now");
        else log.info({ host, pid, poolIds: unlocked.poolIds }, "forgot a worker that stopped");
      } finally {
        await connection.query(`SELECT pg_advisory_unlock(${lockNamespace}, $1)`, [lockKey]);
      }
    }
  } finally {
    connection.release();
  }
}

/** In one transaction: the pools still recorded under `lockKey` are forgotten and their jobs unlocked. */
async function unlockJobsOf(connection: pg.PoolClient, lockKey: number): Promise<{ poolIds: string[]; jobs: number }> {
  await connection.query("BEGIN");
  try {
    // Pools whose live process moved them to a new key (after a reconnection) are not deleted.
    const { rows } = await connection.query<{ poolId: string }>(`DELETE FROM "QueueWorkerPool" WHERE "lockKey" = $1 RETURNING "poolId"`, [lockKey]);
    const poolIds = rows.map((row) => row.poolId);
    const { rows: counted } = await connection.query<{ jobs: number }>(`SELECT count(*)::int AS jobs FROM graphile_worker.jobs WHERE locked_by = ANY($1::text[])`, [poolIds]);
    await connection.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [poolIds]);
    await connection.query("COMMIT");
    return { poolIds, jobs: counted[0]?.jobs ?? 0 };
  } catch (error) {
    await connection.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

function describe(error: unknown): { message: string; code?: string } {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  return { message: typeof message === "string" ? message : String(error), code: typeof code === "string" ? code : undefined };
}
