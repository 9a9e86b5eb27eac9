import type { LoaderFunctionArgs } from "@remix-run/node";
import { findAttachmentFile } from "~/domain/attachments";

/**
 * The bytes of an attachment. The URL names a hash of the bytes, so a response can be cached
 * for ever by browsers and CDNs; a draft's files are not public.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const file = await findAttachmentFile(context.db, params.id ?? "", params.file ?? "");
  if (!file || (file.appealIsDraft && !context.organizer)) {
    return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
  return new Response(new Uint8Array(file.bytes), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.bytes.byteLength),
      "Cache-Control": file.appealIsDraft ? "private, no-store" : "public, max-age=31536000, immutable",
      ETag: `"${file.sha256}"`,
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      // A PDF opened in the browser runs in a sandbox: no scripts, no access to the site.
      "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
    },
  });
}
