/**
 * Where the time goes during a benchmark phase (Linux): CPU time of the web process, of the
 * Postgres server (postmaster and its children) and of this process, beside the whole machine's
 * busy time, from /proc; and what Postgres's client backends are doing, sampled from
 * pg_stat_activity. Evidence for the "what bounds it" notes; it never changes what is measured
 * beyond a light query a few times a second.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type pg from "pg";

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

type ProcStat = { ppid: number; ticks: number };

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command may contain spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU ticks of a process and every process whose parent it is (one level: Postgres's backends). */
function ticksWithChildren(rootPid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  const root = readStat(rootPid);
  if (root) ticks.set(rootPid, root.ticks);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === rootPid) ticks.set(Number(entry), stat.ticks);
  }
  return ticks;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

export type CpuShares = {
  seconds: number;
  /** Each in "cores": CPU seconds per second of wall time (2.0 = two cores busy all along). Null app: the work ran in this process. */
  app: number | null;
  postgres: number | null;
  bench: number;
  machine: number;
  cores: number;
};

/** Starts counting; the returned function stops and gives the CPU used since, per second. */
export function startCpuProbe(pids: { app: number; postmaster: number | null }, cores: number): () => CpuShares {
  const started = performance.now();
  // The web process and, with WEB_PROCESSES > 1, the web processes its supervisor started.
  const appTicks = () => [...ticksWithChildren(pids.app).values()].reduce((sum, ticks) => sum + ticks, 0);
  const app = appTicks();
  const postgres = pids.postmaster ? ticksWithChildren(pids.postmaster) : null;
  const bench = process.cpuUsage();
  const machine = machineTicks();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const appAfter = appTicks();
    let postgresTicks: number | null = null;
    if (postgres && pids.postmaster) {
      postgresTicks = 0;
      // A backend that started during the phase counts from zero; one that ended is lost (rare here: pools stay open).
      for (const [pid, after] of ticksWithChildren(pids.postmaster)) postgresTicks += after - (postgres.get(pid) ?? 0);
    }
    const benchUsed = process.cpuUsage(bench);
    const machineAfter = machineTicks();
    const perSecond = (ticks: number) => ticks / ticksPerSecond / seconds;
    return {
      seconds,
      app: pids.app === process.pid ? null : perSecond(appAfter - app),
      postgres: postgresTicks === null ? null : perSecond(postgresTicks),
      bench: (benchUsed.user + benchUsed.system) / 1e6 / seconds,
      machine: ((machineAfter.busy - machine.busy) / Math.max(1, machineAfter.total - machine.total)) * cores,
      cores,
    };
  };
}

/** One line; with the number of requests, also the CPU milliseconds each cost the server and Postgres. */
export function describeCpu(shares: CpuShares, requests?: number): string {
  const cores = (value: number) => value.toFixed(2);
  const each = (value: number | null) => (value === null || !requests ? null : `${((value * shares.seconds * 1000) / requests).toFixed(2)} ms`);
  const perRequest = requests
    ? `; CPU per request: ${[shares.app === null ? null : `server ${each(shares.app)}`, shares.postgres === null ? null : `Postgres ${each(shares.postgres)}`, `this process ${each(shares.bench)}`].filter(Boolean).join(", ")}`
    : "";
  const other = shares.machine - (shares.app ?? 0) - (shares.postgres ?? 0) - shares.bench;
  return (
    `CPU in cores (of ${shares.cores}): ${shares.app === null ? "" : `server process ${cores(shares.app)}, `}Postgres ${shares.postgres === null ? "n/a (not local)" : cores(shares.postgres)}, ` +
    `this process (${shares.app === null ? "the pg driver loop" : "load generator"}) ${cores(shares.bench)}, everything else ${cores(Math.max(0, other))}; machine busy ${cores(shares.machine)}${perRequest}`
  );
}

export type WaitSample = { samples: number; byKind: Map<string, number> };

/**
 * Samples, every `intervalMs`, what the client backends of the current database (other than the
 * sampler's own) are doing: running on CPU, waiting (by wait event), or idle inside an open
 * transaction (waiting for the client, i.e. the app). Stop it to get the average number of
 * backends in each state.
 */
export function startWaitSampler(client: pg.Client, intervalMs = 200): () => Promise<WaitSample> {
  const byKind = new Map<string, number>();
  let samples = 0;
  let running: Promise<void> = Promise.resolve();
  const sample = async () => {
    const { rows } = await client.query<{ kind: string; n: number }>(`
      SELECT CASE
               WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for the app)'
               WHEN wait_event_type IS NULL THEN 'active, on CPU'
               WHEN wait_event_type = 'Lock' THEN 'active, waiting: Lock/' || wait_event || coalesce(' on ' || (
                 -- Which lock: "object pg_database 0" is the cluster-wide lock a transaction that
                 -- sent NOTIFY takes at commit and holds through the commit's WAL flush (async.c).
                 SELECT l.locktype || coalesce(' ' || l.classid::regclass::text, '') || coalesce(' ' || l.relation::regclass::text, '') || coalesce(' ' || l.objid::text, '')
                 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1), '')
               ELSE 'active, waiting: ' || wait_event_type || '/' || wait_event
             END AS kind, count(*)::int AS n
      FROM pg_stat_activity a
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND state IN ('active', 'idle in transaction')
      GROUP BY 1`);
    samples++;
    for (const { kind, n } of rows) byKind.set(kind, (byKind.get(kind) ?? 0) + n);
  };
  const timer = setInterval(() => {
    running = running.then(sample).catch(() => undefined);
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
    return { samples, byKind };
  };
}

export function describeWaits(waits: WaitSample): string[] {
  if (waits.samples === 0) return ["  (no samples)"];
  const rows = [...waits.byKind].sort(([, a], [, b]) => b - a);
  const busy = rows.reduce((sum, [, n]) => sum + n, 0) / waits.samples;
  return [
    `  Postgres client backends, average over ${waits.samples} samples: ${busy.toFixed(1)} busy (active or idle in a transaction)`,
    ...rows.map(([kind, n]) => `    ${(n / waits.samples).toFixed(2).padStart(6)}  ${kind}`),
  ];
}
