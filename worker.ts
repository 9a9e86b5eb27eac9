import { loadConfig, StartupError } from "~/infra/config.server";
import { createLogger } from "~/infra/logger.server";
import { exitAnywayAfter, startRuntime, type Runtime } from "~/infra/runtime.server";

/**
 * A worker process alone: sends queued email. Run as many as the mail volume needs.
 * Locally, beside `npm start` (with RUN_WORKER=false there), it shares the embedded database
 * and stops when that database stops.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel).child({ role: "worker" });
  let runtime: Runtime | null = null;
  let stopping = false;
  const shutDown = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    if (!runtime) process.exit(exitCode === 0 ? 130 : exitCode); // interrupted while starting
    // Running jobs may finish until the deadline. A job cut off then stays in the queue, and
    // another worker (or this one, started again) runs it within seconds (decision 013).
    exitAnywayAfter(config.shutdownTimeoutMs, exitCode, log);
    runtime.stop().then(
      () => process.exit(exitCode),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutDown(0));
  process.on("SIGTERM", () => shutDown(0));

  runtime = await startRuntime({
    role: "worker",
    config,
    log,
    say,
    onFatal: () => shutDown(1),
  });
  log.info("worker running");
  say("Undersign worker is running. Stop it with Ctrl+C.");
}

main().catch((error: unknown) => {
  process.stderr.write(`Undersign worker could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!(error instanceof StartupError) && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  process.exit(1);
});
