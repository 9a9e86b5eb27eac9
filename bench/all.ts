/**
 * `npm run bench`: every benchmark, one after another (never two at once: they would measure
 * each other), against a fresh production build. Each prints its own figures beside its own
 * baseline; this prints how long each took and, at the end, which ones failed to run.
 *
 *   npm run bench                          # ≈ 15 min on 2 cores
 *   BENCH_ONLY=http,worker npm run bench   # a subset, by name
 *
 * The environment passes through, so BENCH_DATABASE_URL, BENCH_SECONDS and the others work as
 * they do for each script alone (see docs/benchmarks.md).
 */
import { spawn } from "node:child_process";
import os from "node:os";

const benchmarks = [
  { name: "page-weight", script: "bench/page-weight.ts", what: "JavaScript sent with the appeal page" },
  { name: "http", script: "bench/http.ts", what: "sign, confirm and the appeal page over HTTP, beside pg and a bare server" },
  { name: "worker", script: "bench/worker.ts", what: "confirmation emails delivered by a worker, beside nodemailer alone" },
  { name: "confirmations", script: "bench/confirmations.ts", what: "signing and confirming through the domain code, no HTTP" },
  { name: "export", script: "bench/export.ts", what: "a 1,000,000-row CSV export over HTTP, beside COPY" },
  { name: "moderation", script: "bench/moderation.ts", what: "the signatures table and bulk invalidation at 1,000,000 rows" },
  { name: "dashboard", script: "bench/dashboard.ts", what: "the dashboard's queries at 1,000,000 rows" },
  { name: "paper", script: "bench/paper-import.ts", what: "importing and undoing a 10,000-row paper sheet, beside COPY" },
  { name: "hostile", script: "bench/hostile.ts", what: "10,000 random and hostile requests" },
  { name: "timing-probe", script: "bench/timing-probe.ts", what: "whether the sign form's answer time tells that an address has signed" },
] as const;

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY names no benchmark called ${unknown.join(", ")}; there are ${benchmarks.map((b) => b.name).join(", ")}`);
  const chosen = benchmarks.filter((benchmark) => !only || only.includes(benchmark.name));

  console.log(`Benchmarks on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${os.loadavg().map((load) => load.toFixed(2)).join(" ")}`);
  console.log("\n▶ Build (production)");
  if ((await run("npm", ["run", "build", "--silent"])) !== 0) throw new Error("the build failed");

  const results: { name: string; seconds: number; code: number }[] = [];
  for (const benchmark of chosen) {
    console.log(`\n▶ ${benchmark.name}: ${benchmark.what}`);
    const started = Date.now();
    const code = await run(process.execPath, ["--import", "tsx", benchmark.script]);
    results.push({ name: benchmark.name, seconds: (Date.now() - started) / 1000, code });
  }

  console.log("\nBenchmarks run:");
  for (const result of results) console.log(`  ${result.name.padEnd(14)} ${result.seconds.toFixed(0).padStart(5)} s  ${result.code === 0 ? "ok" : `did not finish (exit ${result.code})`}`);
  if (results.some((result) => result.code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
