import { createReadableStreamFromReadable, createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { NextFunction, Request, Response as ExpressResponse } from "express";
import type { Logger } from "./logger.server";
import { pathForLog } from "./logger.server";

/**
 * Remix behind Express, as @remix-run/express 2.17 does it (its request conversion is not
 * exported, so it is repeated below), except for how a response body is written. Its sendRemixResponse writes every chunk without waiting for the client, so a slow
 * download piles the whole body up in memory, and it keeps reading after the client has gone.
 * Here the body is read only as fast as the connection drains, and cancelled when the client
 * disconnects, which lets a streamed export run in constant memory and give back its database
 * connection at once (docs/decisions/008-…).
 */
export function createRemixHandler(options: {
  build: ServerBuild;
  mode: "production" | "development";
  getLoadContext: (req: Request, res: ExpressResponse) => AppLoadContext;
  log: Logger;
}) {
  const handleRequest = createRequestHandler(options.build, options.mode);
  return async (req: Request, res: ExpressResponse, next: NextFunction) => {
    let response: Response;
    try {
      response = await handleRequest(createRemixRequest(req, res), options.getLoadContext(req, res));
    } catch (error) {
      return next(error);
    }
    await sendResponse(res, response, (error) => options.log.error({ err: error, path: pathForLog(req.originalUrl) }, "response body failed"));
  };
}

/** The Fetch API request Remix expects; aborted when the client leaves before the response is done. */
function createRemixRequest(req: Request, res: ExpressResponse): globalThis.Request {
  // req.hostname respects "trust proxy" but drops the port, which X-Forwarded-Host or Host carry.
  const port = [req.get("X-Forwarded-Host"), req.get("host")].map((host) => Number.parseInt(host?.split(":")[1] ?? "", 10)).find(Number.isSafeInteger);
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (values === undefined) continue;
    for (const value of Array.isArray(values) ? values : [values]) headers.append(key, value);
  }
  let controller: AbortController | null = new AbortController();
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new globalThis.Request(url.href, init);
}

/** Compression adds flush(): a streamed page reaches the browser chunk by chunk, not at the end. */
type FlushableResponse = ExpressResponse & { flush?: () => void };

export async function sendResponse(res: FlushableResponse, response: Response, onBodyError: (error: unknown) => void): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (!response.body) {
    res.end();
    return;
  }
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();

  const reader = response.body.getReader();
  // One 'drain' listener for the whole response: the compression middleware moves 'drain'
  // listeners to its own stream, where removing them (or `once`) does not work.
  let wake: (() => void) | null = null;
  const resume = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const stopReading = () => {
    if (!res.writableFinished) reader.cancel().catch(() => undefined);
    resume();
  };
  // The client may have left while the loader ran: 'close' has then already been emitted.
  if (res.destroyed) return stopReading();
  res.on("drain", resume);
  res.once("close", stopReading);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value) && !res.destroyed) await new Promise<void>((resolve) => (wake = resolve));
      res.flush?.();
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    // A body that fails half-way must not look complete: cutting the connection makes the
    // client see an incomplete transfer instead of a shorter file that seems whole.
    res.destroy();
    onBodyError(error);
  } finally {
    res.off("close", stopReading);
    res.off("drain", resume);
  }
}
