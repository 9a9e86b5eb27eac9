import type { LoaderFunctionArgs } from "@remix-run/node";

const databaseTimeoutMs = 3000;

/** For load balancers and uptime checks: 200 when the database answers, 503 when it does not. */
export async function loader({ context }: LoaderFunctionArgs) {
  const headers = { "Cache-Control": "no-store" };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      context.db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${databaseTimeoutMs} ms`)), databaseTimeoutMs);
      }),
    ]);
    return Response.json({ status: "ok", database: "ok" }, { headers });
  } catch (error) {
    context.log.warn({ err: error }, "health check: database unreachable");
    return Response.json({ status: "error", database: "unreachable" }, { status: 503, headers });
  } finally {
    clearTimeout(timer);
  }
}
