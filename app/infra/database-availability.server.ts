import type { ServerBuild } from "@remix-run/node";

/**
 * When the database cannot answer in time, a request gets a 503 ("try again in a moment")
 * instead of hanging or a 500 that reads like a bug. The time limits themselves are set on
 * the connection pool (db.server.ts); this recognises the errors they and a database that is
 * down produce, wherever they surface: Prisma, a transaction that could not start, the raw pg
 * pool, or middleware in front of Remix.
 */

/** Prisma error codes meaning "the database is not there or did not answer in time". */
const prismaUnavailableCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
/** SQLSTATEs with the same meaning: connection exceptions, shutting down or starting up, too many clients. */
const unavailableSqlStates = /^(08...|57P01|57P02|57P03|53300)$/;
/** What Prisma's driver adapter calls such an error (`kind`), when Postgres gave no SQLSTATE. */
const unavailableAdapterKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** Node's codes for a database host that cannot be found or reached (pg passes them on as they are). */
const unreachableSocketCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
/** What pg and the Prisma adapter say when a connection or a query ran out of time or broke. */
const unavailableMessages =
  /Query read timeout|Connection terminated|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|Can't reach database server|Unable to start a transaction in the given time|DatabaseNotReachable|ConnectionClosed|SocketTimeout|Client has encountered a connection error and is not queryable/i;

/**
 * Whether the error, or anything it wraps, matches: looks through `cause`, Prisma's
 * `meta.driverAdapterError` (where a Postgres restart's 57P01, "terminating connection", sits
 * under a query error such as P2010 or P2039 that on its own says nothing), and the `errors` of
 * an AggregateError (Node's, when every address of a host refused).
 */
function errorOrWhatItWraps(error: unknown, matches: (found: Record<string, unknown>) => boolean): boolean {
  const pending: unknown[] = [error];
  for (let looked = 0; pending.length > 0 && looked < 10; looked++) {
    const current = pending.shift();
    if (!current || typeof current !== "object") continue;
    const found = current as Record<string, unknown>;
    if (matches(found)) return true;
    const { cause, meta, errors } = found;
    pending.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}

/** Whether the database is away or did not answer in time: a 503 ("try again in a moment"), not a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return errorOrWhatItWraps(error, ({ code, originalCode, kind, message }) => {
    for (const candidate of [code, originalCode]) {
      if (typeof candidate === "string" && (prismaUnavailableCodes.has(candidate) || unavailableSqlStates.test(candidate) || unreachableSocketCodes.has(candidate))) return true;
    }
    if (typeof kind === "string" && unavailableAdapterKinds.has(kind)) return true;
    return typeof message === "string" && unavailableMessages.test(message);
  });
}

/** Whether PostgreSQL ended the statement to break a deadlock (40P01): it was rolled back whole, so running it again is safe. */
export function isDeadlock(error: unknown): boolean {
  return errorOrWhatItWraps(error, ({ code, originalCode }) => code === "40P01" || originalCode === "40P01");
}

export const databaseUnavailableRetrySeconds = 5;

/** What a loader or action throws instead: Remix renders the error page with this status. */
export function databaseUnavailableResponse(): Response {
  return new Response("The site is busy or briefly unavailable. Please try again in a moment.", {
    status: 503,
    statusText: "Service Unavailable",
    headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(databaseUnavailableRetrySeconds), "Cache-Control": "no-store" },
  });
}

type RouteModule = ServerBuild["routes"][string]["module"];
type DataFunction = NonNullable<RouteModule["loader"]>;

/**
 * The build with every loader and action wrapped so that a database that is unavailable turns
 * into a thrown 503 response. One place for every route, rather than a try/catch in each.
 */
export function withDatabaseUnavailableAs503(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    const module: RouteModule = { ...route.module };
    if (module.loader) module.loader = translateUnavailable(module.loader);
    if (module.action) module.action = translateUnavailable(module.action);
    routes[id] = { ...route, module };
  }
  return { ...build, routes };
}

function translateUnavailable<F extends DataFunction>(dataFunction: F): F {
  return (async (args: Parameters<F>[0]) => {
    try {
      return await dataFunction(args);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw databaseUnavailableResponse();
      throw error;
    }
  }) as F;
}
