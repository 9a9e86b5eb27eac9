import type { LoaderFunctionArgs } from "@remix-run/node";
import { absoluteUrl, appealSharePaths, getSharedAppeal } from "~/domain/sharing";
import { qrCodeCacheControl, qrCodePng } from "~/infra/qr-codes.server";

/** The appeal's address as a QR code, in PNG: for messages and programs that take no SVG. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const appeal = await getSharedAppeal(context.db, params.slug ?? "", context.locale);
  if (!appeal) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const png = await qrCodePng(absoluteUrl(context.publicUrl, appealSharePaths(appeal.slug).page));
  return new Response(new Uint8Array(png), { headers: { "Content-Type": "image/png", "Content-Length": String(png.byteLength), "Cache-Control": qrCodeCacheControl } });
}
