/**
 * Whether the time the sign form takes to answer tells that an address has signed
 * (docs/decisions/035-every-submission-in-one-statement.md). Against the built app in production
 * mode, over HTTP on loopback — the best conditions a prober could have — it sends the probe that
 * makes no noise: a submission without the form's token, which is held and sends no email. Half
 * for addresses that have never signed, half for addresses with a signature (pending, confirmed
 * or withdrawn), alternating one by one, each address once. Prints both distributions and how
 * often the best single threshold, chosen knowing both, would tell one probe apart (50 %: no
 * better than a coin). Prints figures; never fails on timing. Needs a build.
 *
 *   npm run bench:timing-probe
 *   BENCH_PROBES=1000 BENCH_DATABASE_URL=postgres://… npm run bench:timing-probe
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createAppeal } from "~/domain/appeals";
import { demoAppeal } from "~/domain/demo-appeal";
import { signAppeal, validateSignature } from "~/domain/signatures";
import { createDatabaseClient } from "~/infra/db.server";
import { createLogger } from "~/infra/logger.server";
import { applyMigrations } from "~/infra/migrations.server";
import { prepareQueue } from "~/infra/queue/worker.server";
import { requireBuild, type Started } from "../tests/support/processes";
import { startBenchApp } from "./support/app";
import { createBenchDatabase } from "./support/database";

/** Probes of each kind. */
const probes = Number(process.env.BENCH_PROBES ?? 400);
const generousLimit = "1000000000";

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;
const at = (sorted: number[], share: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;

/** How often the best single threshold between the two tells one probe's kind, either way round. */
function bestSingleProbeAccuracy(fresh: number[], known: number[]): number {
  let best = 0;
  for (const threshold of [...fresh, ...known]) {
    const right = fresh.filter((time) => time < threshold).length + known.filter((time) => time >= threshold).length;
    best = Math.max(best, right, fresh.length + known.length - right);
  }
  return best / (fresh.length + known.length);
}

async function main() {
  requireBuild();
  const database = await createBenchDatabase("probe");
  const databaseUrl = database.url;
  const db = createDatabaseClient(databaseUrl, { maxConnections: 2 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "undersign-bench-probe-"));
  let app: Started | null = null;

  try {
    await applyMigrations(databaseUrl);
    await prepareQueue(databaseUrl, createLogger("warn"));
    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench-probe", proofOfWork: "OFF" });
    const running = await startBenchApp({
      databaseUrl,
      dataDir,
      // The limits are counted but never reached: a prober spreading probes over addresses.
      env: {
        SIGN_LIMIT_PER_IP_MINUTE: generousLimit,
        SIGN_LIMIT_PER_IP_HOUR: generousLimit,
        SIGN_LIMIT_PER_IP_SITE_HOUR: generousLimit,
        SIGN_LIMIT_PER_EMAIL_HOUR: generousLimit,
        WEB_PROCESSES: "1",
      },
    });
    app = running.app;
    const baseUrl = running.baseUrl;

    // Addresses that have signed, in the states a prober would meet.
    const states = ["PENDING", "CONFIRMED", "WITHDRAWN"] as const;
    for (let index = 0; index < probes; index++) {
      const validated = validateSignature({ fullName: `Known Signer ${index}`, email: `known${index}@probe.example`, acceptPrivacy: "on" });
      if (!validated.ok) throw new Error("invalid bench input");
      const { signatureId } = await signAppeal(db, appeal.id, validated.input, { locale: "en" });
      const status = states[index % states.length]!;
      if (status !== "PENDING") await db.signature.update({ where: { id: signatureId }, data: { status, confirmedAt: status === "CONFIRMED" ? new Date() : null } });
    }

    const probe = async (email: string): Promise<number> => {
      // No form token: held, no email; what a prober who wants no one to notice sends.
      const body = new URLSearchParams({ fullName: "Someone", email, acceptPrivacy: "on" }).toString();
      const started = performance.now();
      const response = await fetch(`${baseUrl}/appeals/${appeal.slug}?index`, {
        method: "POST",
        body,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", origin: baseUrl },
      });
      await response.arrayBuffer();
      const elapsed = performance.now() - started;
      if (response.status !== 303) throw new Error(`a probe got ${response.status}, not the thanks page's 303`);
      return elapsed;
    };
    for (let index = 0; index < 50; index++) await probe(`warm${index}@probe.example`);
    const fresh: number[] = [];
    const known: number[] = [];
    for (let index = 0; index < probes; index++) {
      fresh.push(await probe(`new${index}@probe.example`));
      known.push(await probe(`known${index}@probe.example`));
    }
    fresh.sort((a, b) => a - b);
    known.sort((a, b) => a - b);

    console.log(`Machine: ${os.cpus().length} cores, Node ${process.version}, Postgres ${database.server}; ${probes} probes of each kind, one at a time`);
    console.log(`  new address            median ${ms(median(fresh))}  p10 ${ms(at(fresh, 0.1))}  p90 ${ms(at(fresh, 0.9))}`);
    console.log(`  address that signed    median ${ms(median(known))}  p10 ${ms(at(known, 0.1))}  p90 ${ms(at(known, 0.9))}`);
    console.log(`  one probe told apart   ${(bestSingleProbeAccuracy(fresh, known) * 100).toFixed(1)} % of the time at best (a coin: 50 %)`);
  } finally {
    await app?.stop();
    await db.$disconnect();
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
