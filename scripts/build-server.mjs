// Bundles the two process entry points (web and worker) with the app code they import.
// npm packages stay external and are loaded from node_modules at run time.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names change with their content: old ones would pile up.
rmSync("build/chunks", { recursive: true, force: true });

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
});
