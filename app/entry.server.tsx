import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/components/nonce";
import { messagesFor } from "~/i18n/languages.server";
import { PageLanguageProvider } from "~/i18n/page-language";
import { ServerFormattedRecord } from "~/i18n/server-formatted";
import { pathForLog } from "~/infra/logger.server";
import { PageStream } from "~/infra/page-stream.server";

const streamTimeoutMs = 5000;
export const streamTimeout = streamTimeoutMs;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Crawlers and browsers without JavaScript get the whole document at once.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const nonce = loadContext.cspNonce;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <PageLanguageProvider value={{ locale: loadContext.locale, messages: messagesFor(loadContext.locale) }}>
          <ServerFormattedRecord value={new Map()}>
            <RemixServer context={remixContext} url={request.url} abortDelay={streamTimeoutMs} nonce={nonce} />
          </ServerFormattedRecord>
        </PageLanguageProvider>
      </NonceProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PageStream();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors during streaming after the shell are ours to log; before it, handleError sees them.
          if (shellRendered) loadContext.log.error({ err: error, path: pathForLog(new URL(request.url).pathname) }, "render error");
        },
      },
    );
    setTimeout(abort, streamTimeoutMs + 1000);
  });
}

/** Unexpected errors in loaders and actions: logged with where they happened, never shown. */
export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  // Aborted requests and answers like 404 are not faults.
  if (request.signal.aborted || isRouteErrorResponse(error)) return;
  context.log.error({ err: error, method: request.method, path: pathForLog(new URL(request.url).pathname) }, "unhandled error");
}
