/**
 * `npm start` on a person's machine: the mistakes and accidents that must never leave them
 * stuck. These run the built app (`node build/server.js`, with `npm start`'s node arguments where
 * it is meant to start) and the db scripts as processes, and assert what a person reads and the
 * exit code.
 *
 *   npm run build && node --import tsx --test tests/local-start.test.ts
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { freePort, hasStackTrace, productionNodeArgs, projectRoot, requireBuild, runProcess, startProcess } from "./support/processes";

const temporaryFolders: string[] = [];

/** A folder of its own for a test, reachable by other users (Postgres runs as `postgres` under root). */
async function scratchFolder(label: string): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), `undersign-${label}-`));
  await chmod(folder, 0o755);
  temporaryFolders.push(folder);
  return folder;
}

before(() => requireBuild());
after(async () => {
  for (const folder of temporaryFolders) await rm(folder, { recursive: true, force: true });
});

// As `npm start` and `npm run serve` run it, with their node arguments (which every Node this runs on must accept).
const startApp = (env: Record<string, string>, cwd?: string) => startProcess("node", [...productionNodeArgs("serve"), "build/server.js"], { env, cwd });

/** The embedded server's port, from its pid file (line 4), to look inside while the app starts. */
async function embeddedPort(dataDir: string): Promise<number | null> {
  try {
    const lines = (await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n");
    return Number.parseInt(lines[3] ?? "", 10) || null;
  } catch {
    return null;
  }
}

async function queryEmbedded<Row extends pg.QueryResultRow>(dataDir: string, sql: string): Promise<Row[]> {
  const port = await embeddedPort(dataDir);
  if (!port) throw new Error(`no embedded server in ${dataDir}`);
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: "password", database: "undersign" });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("starting locally", () => {
  test("a second start on a data folder already in use says where the first one runs, and exits 1", async () => {
    const dataDir = path.join(await scratchFolder("twice"), "data");
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    const first = startApp({ DATA_DIR: dataDir, PORT: String(firstPort) });
    try {
      await first.waitForOutput(/Undersign is running at/);
      const second = await runProcess("node", ["build/server.js"], { env: { DATA_DIR: dataDir, PORT: String(secondPort) } });
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`Undersign is already running from this folder on port ${firstPort}`));
      assert.ok(!hasStackTrace(second.output), second.output);
      // The first one is untouched.
      assert.equal((await fetch(`http://localhost:${firstPort}/healthz`)).status, 200);
    } finally {
      await first.stop();
    }
  });

  test("a worker beside the app shares its database, and stops with a sentence when the app stops", async () => {
    const dataDir = path.join(await scratchFolder("worker"), "data");
    const app = startApp({ DATA_DIR: dataDir, PORT: String(await freePort()), RUN_WORKER: "false" });
    await app.waitForOutput(/Undersign is running at/);
    const worker = startProcess("node", [...productionNodeArgs("worker"), "build/worker.js"], { env: { DATA_DIR: dataDir } });
    try {
      await worker.waitForOutput(/worker is running/);
      assert.match(worker.output(), /Using the embedded Postgres that process \d+ runs/);
      await app.stop();
      const ended = await Promise.race([
        worker.finished,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
      ]);
      assert.ok(ended, `the worker is still running 15 s after its database stopped:\n${worker.output()}`);
      assert.equal(ended.code, 1);
      assert.match(ended.stderr, /embedded Postgres that process \d+ ran has stopped/);
    } finally {
      await worker.stop("SIGKILL");
      await app.stop();
    }
  });

  test("a busy port is one sentence naming PORT, before anything else starts", async () => {
    const dataDir = path.join(await scratchFolder("port"), "data");
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = await runProcess("node", ["build/server.js"], { env: { DATA_DIR: dataDir, PORT: String(port) } });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`Port ${port} is already in use by another program. Set PORT`));
      assert.ok(!hasStackTrace(run.output), run.output);
      assert.equal(existsSync(path.join(dataDir, "postgres")), false, "no database was started");
      assert.equal(existsSync(path.join(dataDir, "mailbox")), false, "no mailbox was started");
    } finally {
      holder.close();
    }
  });

  test("a database that accepts connections and never answers: a line saying what it waits for, then a sentence naming DATABASE_URL", async () => {
    const silent: Server = createServer(() => {
      // Accept, then say nothing.
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const startedAt = Date.now();
      const run = await runProcess("node", ["build/server.js"], {
        env: { DATABASE_URL: `postgres://undersign:secret@127.0.0.1:${port}/undersign`, DATABASE_WAIT_SECONDS: "3", PORT: String(await freePort()) },
        timeoutMs: 20_000,
      });
      assert.equal(run.code, 1);
      assert.ok(Date.now() - startedAt < 15_000, "gave up in bounded time");
      assert.match(run.stdout, new RegExp(`Waiting for the database in DATABASE_URL \\(postgres://undersign@127.0.0.1:${port}/undersign\\)`));
      assert.match(run.stderr, /Could not reach the database in DATABASE_URL .* within 3 s/);
      assert.doesNotMatch(run.output, /secret/, "the password is never printed");
      assert.ok(!hasStackTrace(run.output), run.output);
    } finally {
      silent.close();
    }
  });

  test("a DATA_DIR that cannot be a folder is named, without a stack trace", async () => {
    const file = path.join(await scratchFolder("datadir"), "a-file");
    await writeFile(file, "not a folder");
    const run = await runProcess("node", ["build/server.js"], { env: { DATA_DIR: path.join(file, "data"), PORT: String(await freePort()) } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /DATA_DIR \(.*a-file\/data\) cannot be used/);
    assert.ok(!hasStackTrace(run.output), run.output);
  });

  test("the db scripts use the database npm start would use with the same DATA_DIR", async () => {
    const dataDir = path.join(await scratchFolder("scripts"), "data");
    const migrate = await runProcess("npx", ["tsx", "scripts/db.ts", "migrate"], { env: { DATA_DIR: dataDir } });
    assert.equal(migrate.code, 0, migrate.output);
    assert.match(migrate.output, new RegExp(`Embedded Postgres started from ${dataDir}/postgres`));
    assert.match(migrate.stdout, /Applied \d+ migration/);
    assert.ok(existsSync(path.join(dataDir, "postgres", "PG_VERSION")), "the cluster is in DATA_DIR");

    // npm start on that DATA_DIR finds the database migrated.
    const app = startApp({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    try {
      await app.waitForOutput(/Undersign is running at/);
      const check = await runProcess("npx", ["tsx", "scripts/db.ts", "check"], { env: { DATA_DIR: dataDir } });
      assert.equal(check.code, 0, check.output);
      assert.match(check.output, /Using the embedded Postgres that process \d+ runs/);
      assert.match(check.stdout, /schema.prisma and prisma\/migrations agree/);
    } finally {
      await app.stop();
    }
  });
});

describe("command-line tools beside npm start", () => {
  test("`npm run organizer -- create` works on the embedded database of a running npm start, and its link opens there", async () => {
    const dataDir = path.join(await scratchFolder("organizer-cli"), "data");
    const port = String(await freePort());
    const app = startApp({ DATA_DIR: dataDir, PORT: port });
    try {
      await app.waitForOutput(/Undersign is running at/);
      const created = await runProcess("npx", ["tsx", "scripts/organizer.ts", "create", "--email", "first@example.org", "--name", "First Owner"], {
        env: { DATA_DIR: dataDir, PORT: port },
      });
      assert.equal(created.code, 0, created.output);
      assert.match(created.stderr, /Using the embedded Postgres that process \d+ runs/);
      const link = new RegExp(`http://localhost:${port}/password/[A-Za-z0-9_-]{43}`).exec(created.stdout)?.[0];
      assert.ok(link, created.stdout);
      const page = await fetch(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Choose your password/);
      const usage = await runProcess("npx", ["tsx", "scripts/organizer.ts", "create", "--email", "x@example.org"], { env: { DATA_DIR: dataDir, PORT: port } });
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--name is missing/);
      assert.ok(!hasStackTrace(usage.output), usage.output);
    } finally {
      await app.stop();
    }
  });
});

describe("interrupting the first start", () => {
  test("Ctrl+C while a migration runs leaves a state the next start starts from", async () => {
    // A project like this one with one more migration, which waits while a file exists: the
    // test interrupts the start exactly there, without racing a timer.
    const project = await scratchFolder("interrupted");
    for (const shared of ["build", "node_modules", "public"]) await symlink(path.join(projectRoot, shared), path.join(project, shared));
    await cp(path.join(projectRoot, "package.json"), path.join(project, "package.json"));
    await cp(path.join(projectRoot, "prisma"), path.join(project, "prisma"), { recursive: true });
    const pauseFile = path.join(project, "pause-migration");
    await writeFile(pauseFile, "");
    const waitingMigration = path.join(project, "prisma", "migrations", "29990101000000_waits");
    await mkdir(waitingMigration);
    await writeFile(
      path.join(waitingMigration, "migration.sql"),
      `CREATE TABLE "InterruptionProbe" ("id" INTEGER);\n` +
        `DO $$ BEGIN WHILE (pg_stat_file('${pauseFile}', true)).size IS NOT NULL LOOP PERFORM pg_sleep(0.05); END LOOP; END $$;\n`,
    );
    const dataDir = path.join(project, ".data");
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()) };

    const first = startApp(env, project);
    try {
      await waitFor(
        async () =>
          (await queryEmbedded<{ waiting: number }>(dataDir, "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE query LIKE '%pg_stat_file%' AND pid <> pg_backend_pid()"))[0]
            ?.waiting === 1,
        "the start to reach the waiting migration",
      );
    } catch (error) {
      await first.stop("SIGKILL");
      throw new Error(`${String(error)}\n${first.output()}`);
    }
    const interrupted = await first.stop("SIGINT");
    assert.equal(interrupted.code, 130, "interrupted while starting");
    assert.doesNotMatch(interrupted.output, /Undersign is running/);

    await rm(pauseFile);
    const second = startApp(env, project);
    try {
      await second.waitForOutput(/Undersign is running at/);
      const recorded = await queryEmbedded<{ migration_name: string; finished: boolean }>(
        dataDir,
        `SELECT migration_name, finished_at IS NOT NULL AND rolled_back_at IS NULL AS finished FROM _prisma_migrations ORDER BY migration_name`,
      );
      assert.ok(recorded.every((row) => row.finished), `every migration finished: ${JSON.stringify(recorded)}`);
      assert.equal(recorded.at(-1)?.migration_name, "29990101000000_waits");
      assert.equal(recorded.filter((row) => row.migration_name === "29990101000000_waits").length, 1);
      await queryEmbedded(dataDir, `SELECT * FROM "InterruptionProbe"`);
      assert.equal((await fetch(`http://localhost:${env.PORT}/healthz`)).status, 200);
    } finally {
      await second.stop();
    }
  });
});
