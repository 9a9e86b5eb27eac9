/**
 * The Node versions package.json's `engines` names are the ones every installed package accepts,
 * so `npm install` prints no EBADENGINE warning on any of them and the field tells the truth.
 *
 *   node --import tsx --test tests/supported-node.test.ts
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import semver from "semver";
import { projectRoot } from "./support/processes";

type LockedPackage = { engines?: { node?: string }; os?: string[]; cpu?: string[]; optional?: boolean };

const manifest = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { engines: { node: string } };
const lockfile = JSON.parse(readFileSync(path.join(projectRoot, "package-lock.json"), "utf8")) as { packages: Record<string, LockedPackage> };
const supported = manifest.engines.node;

/** npm installs a package built for one platform (sharp's Windows binaries, say) only on that platform. */
function installedHere(locked: LockedPackage): boolean {
  const admits = (list: string[] | undefined, value: string) =>
    !list || (list.some((entry) => entry === value) || (list.every((entry) => entry.startsWith("!")) && !list.includes(`!${value}`)));
  return admits(locked.os, process.platform) && admits(locked.cpu, process.arch);
}

test("the Node running these tests is one the project says it supports", () => {
  assert.ok(semver.satisfies(process.version, supported), `Node ${process.version} is outside engines.node "${supported}"`);
});

test("no installed package asks for a Node the project says it supports but the package does not", () => {
  const refusing = Object.entries(lockfile.packages)
    .filter(([location, locked]) => location !== "" && locked.engines?.node && installedHere(locked))
    .filter(([, locked]) => !semver.subset(supported, locked.engines!.node!))
    .map(([location, locked]) => `${location.replace(/^(.*\/)?node_modules\//, "")} wants ${locked.engines!.node}`);
  assert.deepEqual(refusing, [], `engines.node is "${supported}"`);
});
