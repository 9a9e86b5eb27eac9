import { readdirSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import type { DecidedFormPost } from "~/form-posts.server";
import { answerFormPostsDirectly } from "~/infra/direct-form-posts.server";
import compression from "compression";
import express from "express";
import { loadConfig, StartupError, type Config } from "~/infra/config.server";
import {
  answerErrors,
  comesFromThisMachine,
  keepPersonalAnswersPrivate,
  limitRequestBodies,
  onlyFromThisMachine,
  refuseLegacyDataRequests,
  rejectCrossSiteWrites,
  securityHeaders,
} from "~/infra/http-guards.server";
import { guardOrganizerArea, resolveOrganizer } from "~/infra/organizer-guard.server";
import { createLogger, pathForLog, type Logger } from "~/infra/logger.server";
import { createPublicPageCache } from "~/infra/public-page-cache.server";
import { createRemixHandler } from "~/infra/remix-handler.server";
import { resolveLanguage } from "~/infra/visitor-language.server";
import { exitAnywayAfter, startRuntime, type Runtime } from "~/infra/runtime.server";
import { isSupervisedWebProcess, reportReadyToSupervisor, superviseWebProcesses } from "~/infra/web-processes.server";

/**
 * The web process: Remix behind Express. By default it also runs the worker that sends
 * email (RUN_WORKER=true); at scale run several of these with RUN_WORKER=false and
 * separate `npm run worker` processes.
 *
 * Start-up order matters to the person at the terminal: settings first, then whether this
 * folder already runs Undersign, then the port, and only then the database and the rest, so
 * that each mistake is one sentence before anything else has started.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel).child({ role: "web" });
  if (config.webProcesses > 1 && !isSupervisedWebProcess()) {
    const checkPortIsFree = async () => {
      const probe = http.createServer();
      await listen(probe, config.port, config.host);
      await new Promise((closed) => probe.close(closed));
    };
    return superviseWebProcesses({ config, log, say, checkPortIsFree });
  }

  // On the embedded database, one web server per data folder (see running-instance.server.ts).
  const local = config.databaseUrl ? null : await import("~/local/running-instance.server");
  const alreadyRunning = local?.findRunningInstance(config.dataDir);
  if (alreadyRunning) throw alreadyRunningError(alreadyRunning, config);

  // The port is taken first; until the app is ready it answers 503 "starting".
  let handle: http.RequestListener = answerStarting;
  const server = http.createServer((req, res) => handle(req, res));
  await listen(server, config.port, config.host);

  const claim = local?.claimDataDir(config.dataDir, config.port);
  if (claim && "heldBy" in claim) {
    server.close();
    throw alreadyRunningError(claim.heldBy, config);
  }

  let runtime: Runtime | null = null;
  let shuttingDown = false;
  const shutDown = (reason: string, exitCode: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ reason }, "shutting down");
    // Interrupted while starting: nothing is half-written (migrations are transactional), and
    // the embedded Postgres is stopped by its exit hook.
    if (!runtime) process.exit(reason === "SIGINT" ? 130 : reason === "SIGTERM" ? 143 : exitCode);
    const stopRuntime = runtime.stop;
    // No new connections; requests in flight finish. A client that holds its connection past
    // the deadline (a stalled download, a half-sent request) is cut off then.
    const deadline = setTimeout(() => {
      log.warn({ timeoutMs: config.shutdownTimeoutMs }, "shutdown deadline reached: closing the connections still open");
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    exitAnywayAfter(config.shutdownTimeoutMs + 5_000, exitCode, log);
    server.close(() => {
      clearTimeout(deadline);
      stopRuntime().then(
        () => process.exit(exitCode),
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on("SIGINT", () => shutDown("SIGINT", 0));
  process.on("SIGTERM", () => shutDown("SIGTERM", 0));

  runtime = await startRuntime({
    role: "web",
    config,
    log,
    say,
    onFatal: () => shutDown("fatal", 1),
  });
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  handle = createApp(runtime, build, log);

  if (isSupervisedWebProcess()) return reportReadyToSupervisor();
  log.info({ host: config.host ?? "all interfaces", port: config.port, publicUrl: config.publicUrl }, "listening");
  say(`\nUndersign is running at http://localhost:${config.port}`);
  if (runtime.devMailboxDirectory) say(`Dev mailbox: http://localhost:${config.port}/dev/mailbox\n`);
}

function createApp(runtime: Runtime, build: ServerBuild, log: Logger): express.Express {
  const { config } = runtime;
  /** What every loader and action gets (load-context.ts), and the direct answer to the hot forms too. */
  const loadContextFor = (req: express.Request, res: express.Response): AppLoadContext => ({
    db: runtime.db,
    log,
    publicUrl: config.publicUrl,
    clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown",
    signingLimits: runtime.signingLimits,
    siteSigningLimits: config.signingLimits,
    passwordResetLimit: runtime.passwordResetLimit,
    secret: config.sessionSecret,
    minimumFillTimeMs: config.minimumFillTimeMs,
    signInThrottle: runtime.signInThrottle,
    devMailboxDirectory: runtime.devMailboxDirectory,
    organizer: res.locals.organizer ?? null,
    sessions: config.sessions,
    pg: runtime.pg,
    site: config.site,
    cspNonce: res.locals.cspNonce as string,
    locale: res.locals.locale as string,
    readingLanguage: (res.locals.chosenLanguage as string | null) ?? (res.locals.locale as string),
    decidedFormPost: (res.locals.decidedFormPost as DecidedFormPost | undefined) ?? null,
  });
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  // Node's own parser for the query string: the app reads only flat parameters (?lang=), and
  // Express's default (qs, which builds nested objects) cost 1 % of a signature's CPU.
  app.set("query parser", "simple");
  app.use(compression());
  app.use(securityHeaders({ isProduction: config.isProduction }));
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ method: req.method, path: pathForLog(req.originalUrl), status: res.statusCode, ms: Math.round(ms) }, "request");
    });
    next();
  });
  // Fingerprinted bundles never change; other public files may.
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(servePublicFiles("public", { maxAge: "1h" }));
  // The proof-of-work widget's worker, from the installed package: served by this site, as the CSP wants.
  app.use("/vendor/altcha", express.static(altchaWorkersDirectory(), { maxAge: "1d" }));
  app.use(rejectCrossSiteWrites(config.publicUrl));
  app.use(limitRequestBodies);
  app.use(refuseLegacyDataRequests);
  app.use(onlyFromThisMachine("/dev/mailbox"));
  app.use(resolveOrganizer({ db: runtime.db, lifetimes: config.sessions, cookie: { secure: config.sessions.secureCookie }, log }));
  app.use(guardOrganizerArea);
  app.use(resolveLanguage({ secure: config.sessions.secureCookie }));
  app.use(keepPersonalAnswersPrivate);
  app.use(answerFormPostsDirectly(loadContextFor));
  app.all(
    "*",
    createRemixHandler({
      build,
      publicUrl: config.publicUrl,
      showErrorDetails: (req) => !config.isProduction && comesFromThisMachine(req),
      log,
      pageCache: config.pageCacheMs > 0 ? { cache: createPublicPageCache({ maxAgeMs: config.pageCacheMs }), keyFor: pageCacheKey } : null,
      getLoadContext: loadContextFor,
    }),
  );
  app.use(answerErrors(log));
  return app;
}

/**
 * Which stored page answers a request: one per address, language and chosen text language, and none for a signed-in
 * organizer (who may see more than visitors).
 */
function pageCacheKey(req: express.Request, res: express.Response): string | null {
  if (res.locals.organizer) return null;
  return `${res.locals.locale as string} ${(res.locals.chosenLanguage as string | null) ?? ""} ${req.originalUrl}`;
}

/**
 * The other files in public/ (the favicon, the demo's page scans), asked for by their top-level
 * names: any other request would first cost a failed look on the disk (5% of a confirmation's CPU).
 * The names are read once at start; public/ changes only with a new build.
 */
function servePublicFiles(directory: string, options: { maxAge: string }): express.RequestHandler {
  const topLevelNames = new Set(readdirSync(directory));
  const serve = express.static(directory, options);
  return (req, res, next) => (topLevelNames.has(req.path.split("/")[1] ?? "") ? serve(req, res, next) : next());
}

function altchaWorkersDirectory(): string {
  const widgetEntry = createRequire(path.resolve("package.json")).resolve("altcha");
  return path.join(path.dirname(path.dirname(widgetEntry)), "workers");
}

/** What the port answers while the database and migrations are being prepared. */
function answerStarting(_req: http.IncomingMessage, res: http.ServerResponse) {
  res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "2", "Cache-Control": "no-store" });
  res.end("Undersign is starting. Try again in a moment.\n");
}

function listen(server: http.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new StartupError(`Port ${port} is already in use by another program. Set PORT to a free port, e.g. PORT=${port === 3000 ? 3001 : 3000} npm start.`));
      } else if (error.code === "EADDRNOTAVAIL") {
        reject(new StartupError(`This machine has no address ${host}: set HOST to one of its addresses, or leave it unset.`));
      } else if (error.code === "EACCES") {
        reject(new StartupError(`This user may not listen on port ${port}. Set PORT to a port above 1023, e.g. PORT=3000.`));
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

function alreadyRunningError(running: { pid: number; port: number }, config: Config): StartupError {
  return new StartupError(
    `Undersign is already running from this folder on port ${running.port} (process ${running.pid}, data in ${config.dataDir}). ` +
      `Open http://localhost:${running.port}, or stop it first. To run a second copy, give it its own DATA_DIR and PORT.`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Undersign could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!(error instanceof StartupError) && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  process.exit(1);
});
