/** qrcode (with pngjs) adds about 10 MB to a process: it is loaded when the first code is drawn. */
const loadQrCode = () => import("qrcode").then((module) => module.default);

/**
 * QR codes of an appeal's address, for flyers, posters and slides. Error correction "M" (15 %
 * of the code may be smudged or covered) keeps the code small enough to scan from a poster
 * across a room while surviving a creased print-out; a four-module quiet zone is the margin
 * the standard asks for.
 */
const qrOptions = { errorCorrectionLevel: "M", margin: 4, color: { dark: "#000000", light: "#ffffff" } } as const;

/** An appeal's address does not change while it is public: its code may be kept a day. */
export const qrCodeCacheControl = "public, max-age=86400";

/** Pixels of the PNG: sharp when printed at 5 cm (300 dpi), small enough for a message. */
const qrPngWidth = 600;

export async function qrCodeSvg(url: string): Promise<string> {
  return (await loadQrCode()).toString(url, { ...qrOptions, type: "svg" });
}

export async function qrCodePng(url: string): Promise<Buffer> {
  return (await loadQrCode()).toBuffer(url, { ...qrOptions, type: "png", width: qrPngWidth });
}
