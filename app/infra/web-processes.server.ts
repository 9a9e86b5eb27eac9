import cluster, { type Worker as WebProcess } from "node:cluster";
import type { Config } from "./config.server";
import type { Logger } from "./logger.server";
import { exitAnywayAfter, startRuntime, type Runtime } from "./runtime.server";

/**
 * Several web processes on one port (WEB_PROCESSES), so that one machine's cores all serve
 * requests: a web process runs JavaScript on one core, and rendering pages and handling forms
 * is where the time goes (docs/benchmarks.md).
 *
 * The first process becomes a supervisor: it serves no requests itself (node:cluster hands each
 * new connection to one web process in turn), starts the web processes, replaces one that dies,
 * runs the job worker when RUN_WORKER asks for it, and on SIGTERM stops them all within the
 * shutdown deadline. Each web process is the ordinary one: `server.ts` run again by the cluster.
 */

/** What a web process tells its supervisor once it serves requests. */
const readyMessage = "undersign:web-process-ready";

/** Whether this process is one of several web processes started by a supervisor. */
export const isSupervisedWebProcess = (): boolean => cluster.isWorker;

/** A web process's word to its supervisor that it is ready (nothing outside a cluster). */
export function reportReadyToSupervisor(): void {
  if (cluster.isWorker) process.send?.(readyMessage);
}

/** Restarts allowed within `restartWindowMs` before the supervisor gives up (a crash loop). */
const maxRestarts = 5;
const restartWindowMs = 60_000;

export async function superviseWebProcesses(options: {
  config: Config;
  log: Logger;
  say: (line: string) => void;
  /** Fails with a StartupError when the port cannot be listened on, before anything starts. */
  checkPortIsFree: () => Promise<void>;
}): Promise<void> {
  const { config, say } = options;
  const log = options.log.child({ role: "supervisor" });
  await options.checkPortIsFree();

  let runtime: Runtime | null = null;
  let stopping = false;
  const ready = new Set<number>();
  const restarts: number[] = [];

  const stopAll = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ exitCode }, "stopping the web processes");
    exitAnywayAfter(config.shutdownTimeoutMs + 10_000, exitCode, log);
    const live = Object.values(cluster.workers ?? {}).filter((worker): worker is WebProcess => !!worker && !worker.isDead());
    // Each web process finishes its requests in flight within the deadline, then exits.
    for (const worker of live) worker.process.kill("SIGTERM");
    const finish = () =>
      (runtime ? runtime.stop() : Promise.resolve()).then(
        () => process.exit(exitCode),
        () => process.exit(1),
      );
    if (live.length === 0) void finish();
    else cluster.on("exit", () => Object.values(cluster.workers ?? {}).every((worker) => !worker || worker.isDead()) && void finish());
  };
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));

  // The job worker runs here, once, not in every web process; its database work happens here,
  // and migrations are applied before the web processes start (they find nothing left to do).
  if (config.runWorker) {
    runtime = await startRuntime({ role: "web", config, log, say, onFatal: () => stopAll(1) });
  }

  // The web processes accept connections from the shared port themselves, rather than the
  // supervisor accepting each and handing it over (node's default on Linux): a connection handed
  // to a process at the moment it dies would otherwise hang, and the supervisor's one core
  // would be spent passing sockets.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const startWebProcess = () => cluster.fork({ RUN_WORKER: "false" });
  cluster.on("message", (worker, message) => {
    if (message !== readyMessage || stopping) return;
    ready.add(worker.id);
    if (ready.size === config.webProcesses && restarts.length === 0) {
      log.info({ webProcesses: config.webProcesses, port: config.port }, "listening");
      say(`\nUndersign is running at http://localhost:${config.port} (${config.webProcesses} web processes)`);
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    if (!ready.has(worker.id)) {
      // It could not start (it said why on stderr): starting it again would fail the same way.
      log.error({ code, signal }, "a web process could not start");
      stopAll(1);
      return;
    }
    ready.delete(worker.id);
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > restartWindowMs) restarts.shift();
    if (restarts.length >= maxRestarts) {
      log.error({ code, signal, restarts: restarts.length }, "web processes keep dying: stopping");
      process.stderr.write(`Web processes died ${restarts.length} times within a minute: Undersign stops. See the log above.\n`);
      stopAll(1);
      return;
    }
    restarts.push(now);
    log.error({ code, signal }, "a web process died: starting another");
    startWebProcess();
  });
  for (let index = 0; index < config.webProcesses; index++) startWebProcess();
}
