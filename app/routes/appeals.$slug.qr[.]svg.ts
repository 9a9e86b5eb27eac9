import type { LoaderFunctionArgs } from "@remix-run/node";
import { absoluteUrl, appealSharePaths, getSharedAppeal } from "~/domain/sharing";
import { qrCodeCacheControl, qrCodeSvg } from "~/infra/qr-codes.server";

/** The appeal's address as a QR code, in SVG: sharp at any print size. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const appeal = await getSharedAppeal(context.db, params.slug ?? "", context.locale);
  if (!appeal) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const svg = await qrCodeSvg(absoluteUrl(context.publicUrl, appealSharePaths(appeal.slug).page));
  return new Response(svg, { headers: { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": qrCodeCacheControl } });
}
