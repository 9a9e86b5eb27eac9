/**
 * How many signatures and confirmations per second the real domain code sustains on this
 * machine, and whether the sharded count stays exact. Prints figures; never fails on timing.
 *
 *   npm run bench:confirmations
 *   BENCH_SIGNATURES=20000 BENCH_CONCURRENCY=32 BENCH_DATABASE_URL=postgres://… npm run bench:confirmations
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createAppeal } from "~/domain/appeals";
import { demoAppeal } from "~/domain/demo-appeal";
import { confirmAndCount, getSignatureCounts, recountSignatures } from "~/domain/counts";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createToken } from "~/domain/tokens";
import { createDatabaseClient } from "~/infra/db.server";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";
import { createLogger } from "~/infra/logger.server";
import { applyMigrations } from "~/infra/migrations.server";
import { prepareQueue } from "~/infra/queue/worker.server";

const signatures = Number(process.env.BENCH_SIGNATURES ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) await work(index);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main() {
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), "undersign-bench-postgres"), database: "postgres" });
  const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? embedded!.url);
  const name = `undersign_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDatabaseClient(url.toString(), { maxConnections: concurrency });

  try {
    await applyMigrations(url.toString());
    await prepareQueue(url.toString(), createLogger("warn"));
    const appeal = await createAppeal(db, { ...demoAppeal, slug: "bench" });
    console.log(`Postgres: ${embedded ? "embedded" : serverUrl.host}; ${signatures} signatures, ${concurrency} concurrent connections, ${os.cpus().length} cores`);

    const signSeconds = await inParallel(signatures, async (index) => {
      const validated = validateSignature({ fullName: `Bench Signer ${index}`, email: `b${index}@example.org`, acceptPrivacy: "on", showPublicly: index % 2 ? "on" : "" });
      if (!validated.ok) throw new Error("invalid bench input");
      await signAppeal(db, appeal.id, validated.input, { locale: "en" });
    });
    console.log(`sign (signature + outbox job in one transaction): ${(signatures / signSeconds).toFixed(0)} /s`);

    // The worker would make one token per email; here they are made directly, as fast as possible.
    const ids = await db.signature.findMany({ where: { appealId: appeal.id }, select: { id: true } });
    const tokens = ids.map(({ id }) => ({ id, ...createToken() }));
    await db.signatureToken.createMany({
      data: tokens.map(({ id, tokenHash }) => ({ signatureId: id, tokenHash, purpose: "CONFIRM" as const, expiresAt: new Date(Date.now() + 3_600_000) })),
    });

    const confirmSeconds = await inParallel(tokens.length, async (index) => {
      await confirmSignature(db, tokens[index]!.token, "en");
    });
    console.log(`confirm (look up token, then status change + count shard in one statement): ${(tokens.length / confirmSeconds).toFixed(0)} /s`);

    // The counting step alone (status change + shard), as a worker-free lower bound of its cost.
    const second = await createAppeal(db, { ...demoAppeal, slug: "bench-counting" });
    await db.signature.createMany({
      data: Array.from({ length: signatures }, (_, index) => ({
        appealId: second.id,
        fullName: `Bench Signer ${index}`,
        email: `c${index}@example.org`,
        emailCanonical: `c${index}@example.org`,
        showPublicly: index % 2 === 0,
      })),
    });
    const pending = await db.signature.findMany({ where: { appealId: second.id }, select: { id: true } });
    const countSeconds = await inParallel(pending.length, async (index) => {
      await confirmAndCount(db, pending[index]!.id);
    });
    console.log(`confirm-and-count statement alone: ${(pending.length / countSeconds).toFixed(0)} /s`);
    const secondCounts = await getSignatureCounts(db, second.id);
    console.log(`  count ${JSON.stringify(secondCounts)}; recount ${JSON.stringify(await recountSignatures(db, second.id))}`);

    const readStarted = performance.now();
    const reads = 2000;
    for (let i = 0; i < reads; i++) await getSignatureCounts(db, appeal.id);
    console.log(`read count: ${(((performance.now() - readStarted) / reads) * 1000).toFixed(0)} µs per read`);

    const counted = await getSignatureCounts(db, appeal.id);
    const recounted = await recountSignatures(db, appeal.id);
    console.log(`count ${JSON.stringify(counted)}; recount ${JSON.stringify(recounted)}; ${JSON.stringify(counted) === JSON.stringify(recounted) ? "exact" : "MISMATCH"}`);
  } finally {
    await db.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
