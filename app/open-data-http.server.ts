import { createHash } from "node:crypto";
import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { OpenDataProblem } from "~/domain/open-data.server";

/**
 * How the open data (the JSON API under /api, the count badge) answers over HTTP: readable by
 * scripts on any site, cached briefly, conditional. docs/decisions/019-open-data-api.md.
 */

/**
 * Any site may read it (no cookies are involved, `*` is enough), and embed it: the helmet default
 * `Cross-Origin-Resource-Policy: same-origin` would stop an <img> of the badge on another site.
 */
export const openForEveryOrigin = {
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
} as const;

/**
 * A count in an answer is at most 2 s old anywhere, as on the public pages (whose in-process
 * copy is at most twice PAGE_CACHE_SECONDS = 1 old): a second fresh, a second more served stale
 * while a cache refreshes it. Enough to fold a burst of readers into one query per second.
 */
export const openDataCacheControl = "public, max-age=1, stale-while-revalidate=1";

/** The badge is embedded in other pages, read far more often than it changes. */
export const badgeCacheControl = "public, max-age=5, stale-while-revalidate=5";

/** A CORS preflight for a GET: allowed, and remembered for a day. */
function preflightAnswer(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...openForEveryOrigin,
      "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
      "Access-Control-Allow-Headers": "Accept, If-None-Match",
      "Access-Control-Max-Age": "86400",
      "Cache-Control": "public, max-age=86400",
    },
  });
}

/**
 * A 200 with `body`, or a 304 when the client already holds it (If-None-Match). The ETag is a
 * hash of the body, so nothing has to be remembered between requests, and a reader polling the
 * count gets a few hundred bytes less each time it has not changed.
 */
export function conditionalResponse(request: Request, body: string, headers: Record<string, string>): Response {
  const etag = `W/"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const held = (request.headers.get("If-None-Match") ?? "").split(",").map((tag) => tag.trim());
  const allHeaders = new Headers({ ...headers, ETag: etag });
  if (held.includes(etag) || held.includes(etag.slice(2)) || held.includes("*")) {
    allHeaders.delete("Content-Type");
    return new Response(null, { status: 304, headers: allHeaders });
  }
  return new Response(body, { status: 200, headers: allHeaders });
}

function problemAnswer(problem: OpenDataProblem): Response {
  return new Response(JSON.stringify({ error: { status: problem.status, message: problem.message } }), {
    status: problem.status,
    headers: { ...openForEveryOrigin, "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export type OpenDataArgs = { params: LoaderFunctionArgs["params"]; context: AppLoadContext; query: URLSearchParams; request: Request };

/**
 * The loader of an /api route: answers CORS preflights, turns the JSON `answer` gives into a
 * cacheable, conditional response, and an OpenDataProblem into a 400 or 404 JSON answer.
 */
export function openDataLoader(answer: (args: OpenDataArgs) => Promise<unknown> | unknown) {
  return openDataResource(async (args) =>
    conditionalResponse(args.request, JSON.stringify(await answer(args)), {
      ...openForEveryOrigin,
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": openDataCacheControl,
    }),
  );
}

/**
 * The loader of an open-data route answering anything (the badge): CORS preflights answered
 * (Remix hands OPTIONS requests to a resource route's loader), an OpenDataProblem turned into a
 * 400 or 404 JSON answer.
 */
export function openDataResource(answer: (args: OpenDataArgs) => Promise<Response>) {
  return async ({ request, params, context }: LoaderFunctionArgs): Promise<Response> => {
    if (request.method === "OPTIONS") return preflightAnswer();
    try {
      return await answer({ params, context, request, query: new URL(request.url).searchParams });
    } catch (error) {
      if (error instanceof OpenDataProblem) return problemAnswer(error);
      throw error;
    }
  };
}
