import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { productionNodeArgs } from "../../tests/support/processes";

export { freePort } from "../../tests/support/processes";

export type RunningApp = { baseUrl: string; dataDir: string; stop: () => Promise<void> };

/**
 * The built app as production runs it (`npm run serve`'s command), with the given settings and a
 * data directory of its own. Resolves once /healthz answers.
 */
export async function startApp(options: { port: number; env: Record<string, string> }): Promise<RunningApp> {
  const baseUrl = `http://localhost:${options.port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-e2e-"));
  const app = spawn("node", [...productionNodeArgs("serve"), "build/server.js"], {
    // Playwright fills forms faster than a person: without this the timing check holds every signature.
    env: { ...process.env, PORT: String(options.port), PUBLIC_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: "warn", SIGN_MIN_FILL_SECONDS: "0", ...options.env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    app.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const stop = async () => {
    if (exitCode === undefined) app.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`the app exited during start-up (code ${exitCode})`);
    }
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return { baseUrl, dataDir, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  app.kill("SIGKILL");
  await stop();
  throw new Error(`the app did not answer ${baseUrl}/healthz within 60 s`);
}
