// Bundles the two process entry points (web and worker) with the app code they import.
// npm packages stay external and are loaded from node_modules at run time.
import { build } from "esbuild";

await build({
  entryPoints: { server: "server.ts", worker: "worker.ts" },
  outdir: "build",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  jsx: "automatic",
});
