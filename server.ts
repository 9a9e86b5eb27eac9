import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { rejectCrossSiteWrites, securityHeaders } from "~/infra/http-guards.server";
import { pathForLog } from "~/infra/logger.server";
import { startRuntime } from "~/infra/runtime.server";

/**
 * The web process: Remix behind Express. By default it also runs the worker that sends
 * email (RUN_WORKER=true); at scale run several of these with RUN_WORKER=false and
 * separate `npm run worker` processes.
 */
async function main() {
  const runtime = await startRuntime({ role: "web" });
  const { config, log } = runtime;
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.use(compression());
  app.use(securityHeaders);
  app.use(
    (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.info({ method: req.method, path: pathForLog(req.originalUrl), status: res.statusCode, ms: Math.round(ms) }, "request");
      });
      next();
    },
  );
  // Fingerprinted bundles never change; other public files may.
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(rejectCrossSiteWrites(config.publicUrl));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: config.isProduction ? "production" : "development",
      getLoadContext: (req) => ({
        db: runtime.db,
        log,
        publicUrl: config.publicUrl,
        clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown",
        signingRateLimit: runtime.signingRateLimit,
        devMailboxDirectory: runtime.devMailboxDirectory,
      }),
    }),
  );

  const server = app.listen(config.port, () => {
    log.info({ port: config.port, publicUrl: config.publicUrl }, "listening");
    process.stdout.write(`\nUndersign is running at http://localhost:${config.port}\n`);
    if (runtime.devMailboxDirectory) process.stdout.write(`Dev mailbox: http://localhost:${config.port}/dev/mailbox\n\n`);
  });

  let shuttingDown = false;
  const shutDown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    server.close(() => {
      runtime.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on("SIGINT", () => shutDown("SIGINT"));
  process.on("SIGTERM", () => shutDown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`Undersign could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.name !== "ConfigError" && error.stack) process.stderr.write(error.stack + "\n");
  process.exit(1);
});
