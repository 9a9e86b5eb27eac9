import { startRuntime } from "~/infra/runtime.server";

/** A worker process alone: sends queued email. Run as many as the mail volume needs. */
async function main() {
  const runtime = await startRuntime({ role: "worker" });
  runtime.log.info("worker running");
  process.stdout.write("Undersign worker is running. Stop it with Ctrl+C.\n");
  let stopping = false;
  const shutDown = () => {
    if (stopping) return;
    stopping = true;
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutDown);
  process.on("SIGTERM", shutDown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Undersign worker could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
