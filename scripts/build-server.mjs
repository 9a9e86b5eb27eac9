// Bundles the two process entry points (web and worker) with the app code they import.
// npm packages stay external and are loaded from node_modules at run time.
import { Buffer } from "node:buffer";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

// Chunk names change with their content: old ones would pile up. A compiler left by another
// Prisma version must not look current either.
rmSync("build/chunks", { recursive: true, force: true });
mkdirSync("build", { recursive: true });
for (const name of readdirSync("build").filter((name) => /^query_compiler_.*\.wasm$/.test(name))) rmSync(path.join("build", name));

await build({
  entryPoints: { server: "server.ts", worker: "worker.ts" },
  outdir: "build",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // What is imported only dynamically (the local stand-ins in app/local: embedded Postgres, the
  // dev mailbox's SMTP server) goes into chunks of its own, with its own imports: the entry
  // points never import those packages, which production does not install.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  jsx: "automatic",
  plugins: [queryCompilerFromFile()],
});

/**
 * Prisma's generated client imports its query compiler's WebAssembly as a module holding one
 * base64 string, which a process keeps for its whole life twice over: as the module's source and
 * as the string (4.6 MB of the small build). In the bundles that import is answered instead by a
 * module that reads the same bytes, decoded here at build time, from build/ (1.7 MB). The
 * generated code then calls `Buffer.from(wasm, "base64")` on a Buffer, which copies it as it is:
 * Buffer.from reads its second argument as an encoding only when the first is a string.
 * Processes run from the project's folder (server.ts loads build/server/index.js the same way).
 * tests/production-bundle.test.ts fails if a Prisma upgrade renames the module and this stops
 * matching. (The Remix build keeps the generated client's import: it never creates a client.)
 */
function queryCompilerFromFile() {
  const base64Module = /^@prisma\/client\/runtime\/(query_compiler_\w+\.\w+)\.wasm-base64\.mjs$/;
  const require = createRequire(path.resolve("package.json"));
  return {
    name: "query-compiler-from-file",
    setup(esbuild) {
      esbuild.onResolve({ filter: base64Module }, (args) => ({ path: args.path, namespace: "query-compiler" }));
      esbuild.onLoad({ filter: /.*/, namespace: "query-compiler" }, async (args) => {
        const [, compilerName] = base64Module.exec(args.path);
        const { wasm } = await import(pathToFileURL(require.resolve(args.path)).href);
        const wasmFile = `${esbuild.initialOptions.outdir}/${compilerName}.wasm`;
        writeFileSync(wasmFile, Buffer.from(wasm, "base64"));
        return {
          contents: `import { readFileSync } from "node:fs";\nexport const wasm = readFileSync(${JSON.stringify(wasmFile)});\n`,
          loader: "js",
        };
      });
    },
  };
}
