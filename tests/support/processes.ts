import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { createServer } from "node:net";
import path from "node:path";

/** What a person would read in the terminal, and how the process ended. */
export type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; output: string };

export type Started = {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved as they arrived. */
  output: () => string;
  /** Resolves when the output matches, rejects if the process ends first or time runs out. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  finished: Promise<Finished>;
  /** Sends the signal (if still running) and waits for the end. */
  stop: (signal?: NodeJS.Signals) => Promise<Finished>;
};

export const projectRoot = path.resolve(import.meta.dirname, "..", "..");

/**
 * The arguments a package.json script gives node before the built entry point (the web
 * process's young generation, decision 031), so that benchmarks and journeys run the processes
 * as `npm run serve` and `npm run worker` do. For `start`, its last command (after the build).
 */
export function productionNodeArgs(script: "start" | "serve" | "worker"): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string | undefined> }).scripts;
  const command = scripts[script]?.split("&&").at(-1)?.trim() ?? "";
  const words = command.split(/\s+/);
  if (words[0] !== "node" || !/^build\/\w+\.js$/.test(words.at(-1) ?? "")) throw new Error(`package.json's "${script}" script does not end in "node <arguments> build/<entry>.js": ${scripts[script] ?? "(missing)"}`);
  return words.slice(1, -1);
}

/** `node build/server.js` and friends need a build: `npm test` makes one before the tests. */
export function requireBuild(): void {
  if (!existsSync(path.join(projectRoot, "build", "server.js")) || !existsSync(path.join(projectRoot, "build", "server", "index.js"))) {
    throw new Error("These tests run the built app: run `npm run build` first (npm test does).");
  }
}

/** Starts a process with the given environment on top of ours (minus settings that would leak in). */
export function startProcess(command: string, args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Started {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["DATABASE_URL", "SMTP_URL", "DATA_DIR", "PORT", "PUBLIC_URL", "NODE_ENV", "RUN_WORKER", "DATABASE_WAIT_SECONDS"]) delete env[name];
  const child = spawn(command, args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...env, LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let output = "";
  const listeners = new Set<() => void>();
  const onOutput = () => listeners.forEach((listener) => listener());
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    output += chunk.toString("utf8");
    onOutput();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    output += chunk.toString("utf8");
    onOutput();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr, output }));
  });
  let ended = false;
  void finished.then(() => {
    ended = true;
    onOutput();
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) return done(resolve);
        if (ended) return done(() => reject(new Error(`the process ended before printing ${pattern}:\n${output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  return {
    child,
    output: () => output,
    waitForOutput,
    finished,
    stop: async (signal = "SIGTERM") => {
      if (!ended) child.kill(signal);
      return finished;
    },
  };
}

/** Runs a process to its end (killed after `timeoutMs`, which then fails the test). */
export async function runProcess(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<Finished> {
  const started = startProcess(command, args, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      started.child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${started.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([started.finished, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A stack trace is for developers; a person reading a start-up message should never see one. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(text);
}

/**
 * Built processes (`node build/server.js` or `build/worker.js`) that a test file starts, each in
 * a data folder of its own, stopped and cleaned up together by `stopAll` (call it in `after`).
 */
export function builtProcesses() {
  const started: Started[] = [];
  const folders: string[] = [];
  return {
    /** Starts one and resolves once it says it is running; `port` is free and set as PORT. */
    async start(entry: "server" | "worker", env: Record<string, string>): Promise<{ process: Started; port: number }> {
      requireBuild();
      const port = await freePort();
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-test-"));
      folders.push(dataDir);
      const running = startProcess("node", [`build/${entry}.js`], { env: { PORT: String(port), DATA_DIR: dataDir, ...env } });
      started.push(running);
      await running.waitForOutput(entry === "server" ? /Undersign is running at/ : /worker is running/);
      return { process: running, port };
    },
    async stopAll(): Promise<void> {
      for (const running of started) await running.stop();
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * The environment of a built process (`server` or `worker`) in a test that signs in bursts from
 * one address: the per-address limits and the form's minimum fill time are not what such a
 * test is about. The worker runs as a process of its own (RUN_WORKER=false for the server).
 */
export function burstSigningEnv(options: { databaseUrl: string; smtpUrl?: string; sessionSecret: string }): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    RUN_WORKER: "false",
    NODE_ENV: "test",
    SESSION_SECRET: options.sessionSecret,
    SIGN_LIMIT_PER_IP_MINUTE: "0",
    SIGN_LIMIT_PER_IP_HOUR: "0",
    SIGN_LIMIT_PER_IP_SITE_HOUR: "0",
    SIGN_MIN_FILL_SECONDS: "0",
  };
}
