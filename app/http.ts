import type { HeadersFunction } from "@remix-run/node";

/**
 * Public pages may be cached by a CDN for a few seconds and served stale while it refreshes,
 * so a spike of readers costs the database almost nothing. Browsers must not do the same:
 * a person who just confirmed has to see the new count at once, and Chrome honours
 * stale-while-revalidate in Cache-Control. So browsers get max-age=0 (always revalidate),
 * and the CDN-only directives go in CDN-Cache-Control (RFC 9213), which browsers ignore.
 */
export const publicPageCacheHeaders = {
  "Cache-Control": "public, max-age=0, s-maxage=10",
  "CDN-Cache-Control": "max-age=10, stale-while-revalidate=60",
  // The page's language follows Accept-Language, or the language cookie of a visitor who chose
  // one: a cache must keep one copy per language and not give it to a visitor with that cookie
  // (whose answers are private anyway, see keepPersonalAnswersPrivate).
  Vary: "Accept-Language, Cookie",
} as const;

/**
 * A route's `headers` for pages with a form: the action's answer keeps the headers the action
 * set (a 429's Retry-After, no-store), a page loaded normally keeps the loader's. Without a
 * `headers` export Remix passes on only Set-Cookie.
 */
export const actionHeadersFirst: HeadersFunction = ({ actionHeaders, loaderHeaders, errorHeaders }) => {
  if (errorHeaders && [...errorHeaders.keys()].length > 0) return errorHeaders;
  return [...actionHeaders.keys()].length > 0 ? actionHeaders : loaderHeaders;
};

/** Pages that depend on a secret in the URL or on the visitor must never be stored anywhere. */
export const privatePageCacheControl = "private, no-store";

/**
 * The fields of a submitted form, or null when the body is not a form at all (wrong content
 * type, broken encoding): that is the client's mistake and gets a 400, not a 500.
 */
export async function readFormFields(request: Request): Promise<Map<string, string> | null> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return null;
  }
  const fields = new Map<string, string>();
  for (const [key, value] of form) if (typeof value === "string") fields.set(key, value);
  return fields;
}

/**
 * Repeated rows of a form, named `prefix.<index>.<column>` (e.g. phones.0.label), in index
 * order; missing cells are empty strings. At most `maxRows`, so a crafted form cannot make us
 * build a huge array.
 */
export function readIndexedRows<Column extends string>(fields: Map<string, string>, prefix: string, columns: readonly Column[], maxRows = 1000): Record<Column, string>[] {
  const indexes = new Set<number>();
  for (const key of fields.keys()) {
    const match = new RegExp(`^${prefix}\\.(\\d{1,4})\\.`).exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .slice(0, maxRows)
    .map((index) => Object.fromEntries(columns.map((column) => [column, fields.get(`${prefix}.${index}.${column}`) ?? ""])) as Record<Column, string>);
}

/**
 * Content-Disposition for a download (RFC 6266): `filename` in plain ASCII for every client,
 * plus `filename*` (RFC 8187, UTF-8) with the real name when that is not plain ASCII.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const header = `attachment; filename="${ascii}"`;
  if (ascii === fileName) return header;
  const encoded = encodeURIComponent(fileName).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${header}; filename*=UTF-8''${encoded}`;
}

/**
 * A response body that reads `chunks` only as fast as the client takes them (highWaterMark 0:
 * nothing is read ahead) and stops them when the client goes away (cancel → `return()`). The
 * first chunk is read before the response exists, so a source that cannot start fails while an
 * error status can still be sent instead of a broken download.
 *
 * A client that stops taking data without leaving (a paused browser download) would otherwise
 * hold the source — for an export, a database connection and its snapshot — for as long as it
 * likes: after `stallTimeoutMs` without a read the source is stopped and the body fails.
 */
export async function startStreamingBody(
  chunks: AsyncGenerator<Uint8Array, void, undefined>,
  options: { stallTimeoutMs: number },
): Promise<ReadableStream<Uint8Array>> {
  const first = await chunks.next();
  let head: Uint8Array | null = first.done ? null : first.value;
  let ended = first.done === true;
  let stallTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(stallTimer);
    ended = true;
    return chunks.return(undefined);
  };
  const awaitNextRead = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    stallTimer = setTimeout(() => {
      // How stopping went is the source's to report (an export's `finished`).
      stop().catch(() => undefined);
      controller.error(new Error(`the client took nothing for ${options.stallTimeoutMs} ms`));
    }, options.stallTimeoutMs).unref();
  };
  return new ReadableStream<Uint8Array>(
    {
      start: awaitNextRead,
      async pull(controller) {
        clearTimeout(stallTimer);
        let next: IteratorResult<Uint8Array, void>;
        if (head) {
          next = { done: false, value: head };
          head = null;
        } else {
          next = ended ? { done: true, value: undefined } : await chunks.next();
        }
        if (next.done) return controller.close();
        controller.enqueue(next.value);
        awaitNextRead(controller);
      },
      async cancel() {
        await stop();
      },
    },
    { highWaterMark: 0 },
  );
}
