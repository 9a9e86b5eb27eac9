/**
 * A small closed-loop HTTP load generator on undici (a dependency of @remix-run/node, so no new
 * package): a fixed number of keep-alive connections, one request in flight on each (no
 * pipelining), every request timed from sending to the last byte of its answer. Each connection
 * sends its next request as soon as the previous answer is read, until the time is up or the
 * requests run out. Prints nothing; callers format the result.
 */
import { Pool } from "undici";

export type LoadRequest = {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Headers of the GET a browser sends to the address a redirect names. When given, a redirect
   * is followed on the same connection and the pair is timed and counted as one request, with
   * the status "<first>→<last>" (e.g. "303→200"): what a person waits for after pressing a button.
   */
  followWith?: Record<string, string>;
};

export type LoadResult = {
  /** Answers received (any status) plus requests that failed without an answer. */
  requests: number;
  seconds: number;
  /** Answers by status code; "error: <code>" for a request that got no answer. */
  statuses: Map<string, number>;
  /** Latency of every request in ms, sorted. */
  latencies: Float64Array;
  /** Bytes of answer bodies as they came over the wire (compressed if the server compressed). */
  bodyBytes: number;
  /** Content-Encoding of the answers seen. */
  encodings: Set<string>;
  /** True when the requests ran out before the time did. */
  exhausted: boolean;
};

export type LoadOptions = {
  origin: string;
  connections: number;
  seconds: number;
  /** The request with this index, or null when there are no more (e.g. one per token). */
  request: (index: number) => LoadRequest | null;
  /** Called with each answer's status and the request's index, e.g. to count successes. */
  onAnswer?: (index: number, status: number) => void;
};

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const statuses = new Map<string, number>();
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  let latencies = new Float64Array(1 << 16);
  let done = 0;
  let next = 0;
  let bodyBytes = 0;
  let exhausted = false;
  const encodings = new Set<string>();
  const record = (ms: number) => {
    if (done === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[done++] = ms;
  };

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const connection = async () => {
    while (performance.now() < deadline) {
      const index = next++;
      const spec = options.request(index);
      if (!spec) {
        exhausted = true;
        return;
      }
      const sent = performance.now();
      try {
        const answer = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body });
        for await (const chunk of answer.body as AsyncIterable<Buffer>) bodyBytes += chunk.length;
        let status = String(answer.statusCode);
        let encoding = answer.headers["content-encoding"];
        const location = answer.headers.location;
        if (spec.followWith && answer.statusCode >= 300 && answer.statusCode < 400 && typeof location === "string") {
          // The fragment stays in the browser; the path and query are what it asks for.
          const target = new URL(location, options.origin);
          const next = await pool.request({ method: "GET", path: `${target.pathname}${target.search}`, headers: spec.followWith });
          for await (const chunk of next.body as AsyncIterable<Buffer>) bodyBytes += chunk.length;
          status = `${status}→${next.statusCode}`;
          encoding = next.headers["content-encoding"];
        }
        if (typeof encoding === "string") encodings.add(encoding);
        record(performance.now() - sent);
        count(status);
        options.onAnswer?.(index, answer.statusCode);
      } catch (error) {
        record(performance.now() - sent);
        count(`error: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const measured = latencies.slice(0, done).sort();
  return { requests: done, seconds, statuses, latencies: measured, bodyBytes, encodings, exhausted };
}

/** A closed loop of plain async work (e.g. a transaction on a pg pool), timed like runLoad's requests. */
export async function runWork(options: { workers: number; seconds: number; work: (index: number) => Promise<void> }): Promise<LoadResult> {
  const statuses = new Map<string, number>();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (performance.now() < deadline) {
        const index = next++;
        const sent = performance.now();
        let key = "ok";
        try {
          await options.work(index);
        } catch (error) {
          key = `error: ${(error as { code?: string }).code ?? (error as Error).message}`;
        }
        latencies.push(performance.now() - sent);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests: latencies.length, seconds, statuses, latencies: Float64Array.from(latencies).sort(), bodyBytes: 0, encodings: new Set(), exhausted: false };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function rate(result: LoadResult, status?: (key: string) => boolean): number {
  if (!status) return result.requests / result.seconds;
  let matching = 0;
  for (const [key, value] of result.statuses) if (status(key)) matching += value;
  return matching / result.seconds;
}
