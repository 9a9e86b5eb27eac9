import type { LoaderFunctionArgs } from "@remix-run/node";
import { messagesScriptByFile } from "~/i18n/languages.server";

/**
 * /messages/<language>.<hash>.js: a language's public messages for the browser
 * (i18n/public-messages.ts). The name holds the content's hash, so the script is kept for a
 * year; a page from before a new release may ask for an older name and gets what is current,
 * not to be kept.
 */
export function loader({ params }: LoaderFunctionArgs) {
  const script = messagesScriptByFile(params.file ?? "");
  if (!script) return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const current = script.path === `/messages/${params.file}`;
  return new Response(script.body, {
    headers: {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": current ? "public, max-age=31536000, immutable" : "no-cache",
    },
  });
}
