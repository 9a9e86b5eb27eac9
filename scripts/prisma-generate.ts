/**
 * `npm run db:generate`: runs `prisma generate` so that it works without network access.
 *
 * Prisma 7.10's CLI resolves (and, if missing, downloads) its native schema engine before
 * every command, even `generate`, which never runs it. Pointing PRISMA_SCHEMA_ENGINE_BINARY
 * at any existing executable satisfies that check, so we hand it the Node binary that runs
 * this script. prisma.config.ts reads DATABASE_URL with env(), which throws when unset;
 * generate does not connect anywhere, so a placeholder is enough (also when it is empty).
 *
 * Output is kept short: the CLI's lines are printed only on failure (or with --verbose).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const projectRoot = process.cwd();
const verbose = process.argv.includes("--verbose");

const prismaCliEntry = createRequire(path.join(projectRoot, "package.json")).resolve(
  "prisma/build/index.js",
);

const childEnvironment: NodeJS.ProcessEnv = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  DATABASE_URL:
    process.env.DATABASE_URL || "postgresql://placeholder@localhost:5432/placeholder",
  // No update check or telemetry: both would only wait on a network that is not there.
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};

const startedAt = performance.now();
const child = spawn(process.execPath, [prismaCliEntry, "generate"], {
  cwd: projectRoot,
  env: childEnvironment,
  stdio: ["ignore", "pipe", "pipe"],
});

let combinedOutput = "";
child.stdout.on("data", (chunk: Buffer) => {
  combinedOutput += chunk.toString("utf8");
});
child.stderr.on("data", (chunk: Buffer) => {
  combinedOutput += chunk.toString("utf8");
});

child.on("error", (error) => {
  console.error(`prisma generate could not be started: ${error.message}`);
  process.exitCode = 1;
});

child.on("close", (exitCode, signal) => {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  if (exitCode === 0) {
    if (verbose) process.stdout.write(combinedOutput);
    else {
      const summaryLine = combinedOutput.split("\n").find((line) => line.includes("Generated"));
      console.log(`prisma generate: ${summaryLine?.replace(/^\W+/, "").trim() ?? "done"} (${seconds}s total)`);
    }
    return;
  }
  process.stderr.write(combinedOutput);
  console.error(`prisma generate failed (${signal ?? `exit code ${exitCode}`})`);
  process.exitCode = exitCode ?? 1;
});
