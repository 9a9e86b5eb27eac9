import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "./embedded-postgres.server";

/**
 * One web server per data folder when it runs on the embedded database. A second `npm start`
 * in the same folder would otherwise quietly share the first one's Postgres (and lose it when
 * the first stops); instead it is told where the first one runs. Tools such as
 * `npm run db:migrate` or `npm run worker` may still share the database: they take no claim.
 */
export type RunningInstance = { pid: number; port: number };

const claimFile = (dataDir: string) => path.join(dataDir, "server.json");

/** The web server running from this data folder, if any (a claim of a dead process is ignored). */
export function findRunningInstance(dataDir: string): RunningInstance | null {
  try {
    const claim = JSON.parse(readFileSync(claimFile(dataDir), "utf8")) as Partial<RunningInstance>;
    if (typeof claim.pid === "number" && typeof claim.port === "number" && claim.pid !== process.pid && isProcessAlive(claim.pid)) {
      return { pid: claim.pid, port: claim.port };
    }
  } catch {
    // No claim, or a half-written one: nobody runs here.
  }
  return null;
}

/**
 * Claims the folder for this process, atomically: of two servers starting at once, one gets
 * it and the other learns who has it. A stale claim (its process is gone) is replaced.
 * Returns the release, or the instance that holds the folder.
 */
export function claimDataDir(dataDir: string, port: number): { release: () => void } | { heldBy: RunningInstance } {
  const file = claimFile(dataDir);
  const content = JSON.stringify({ pid: process.pid, port } satisfies RunningInstance);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, content, { flag: "wx" });
      const release = () => {
        try {
          const current = JSON.parse(readFileSync(file, "utf8")) as Partial<RunningInstance>;
          if (current.pid === process.pid) rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
      process.once("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = findRunningInstance(dataDir);
    if (holder) return { heldBy: holder };
    rmSync(file, { force: true });
  }
  throw new Error(`could not claim ${file}`);
}
