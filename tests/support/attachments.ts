import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream, StandardFonts } from "pdf-lib";
import sharp, { type OverlayOptions } from "sharp";

/**
 * Files as organizers upload them, carrying what must never reach a visitor: a phone photo with
 * its GPS position and camera, and a PDF naming its author. Shared by the integration tests and
 * the browser journeys, with the byte patterns to look for in what comes out.
 */
export const secretAuthor = "Jane Whistleblower";
export const cameraMake = "Phonemaker";

/** GPSLatitude 51° 30' 32.30" as EXIF stores it: three rationals, in either byte order. */
const latitude = [51, 1, 30, 1, 3230, 100];
function rationals(order: "BE" | "LE"): Buffer {
  const bytes = Buffer.alloc(latitude.length * 4);
  latitude.forEach((value, index) => (order === "BE" ? bytes.writeUInt32BE(value, index * 4) : bytes.writeUInt32LE(value, index * 4)));
  return bytes;
}

/** What gives a photo's metadata away, wherever it hides in a file. */
export const photoMetadataPatterns: { name: string; bytes: Buffer }[] = [
  { name: "an Exif header", bytes: Buffer.from("Exif") },
  { name: "a WebP EXIF chunk", bytes: Buffer.from("EXIF") },
  { name: "XMP", bytes: Buffer.from("http://ns.adobe.com/") },
  { name: "the camera make", bytes: Buffer.from(cameraMake) },
  { name: "the GPS latitude (big-endian)", bytes: rationals("BE") },
  { name: "the GPS latitude (little-endian)", bytes: rationals("LE") },
];

export function photoMetadataFoundIn(bytes: Uint8Array): string[] {
  const haystack = Buffer.from(bytes);
  return photoMetadataPatterns.filter((pattern) => haystack.includes(pattern.bytes)).map((pattern) => pattern.name);
}

/**
 * A photo as a phone stores it: pixels sideways plus EXIF Orientation 6 ("turn 90° clockwise
 * to show"), camera make and model, and a GPS position. The stored top half is red and the
 * bottom half blue, so upright the left half is blue and the right half red. `noise` makes it
 * as heavy as a real photo (several MB).
 */
export async function phonePhoto(options: { width?: number; height?: number; noise?: boolean } = {}): Promise<Buffer> {
  const { width = 4000, height = 3000, noise = false } = options;
  const half = Math.round(height / 2);
  const layers: OverlayOptions[] = [{ input: { create: { width, height: height - half, channels: 3, background: "#0000d0" } }, top: half, left: 0 }];
  if (noise) {
    layers.push({ input: { create: { width, height, channels: 3, background: "#000000", noise: { type: "gaussian", mean: 0, sigma: 40 } } }, blend: "add" });
  }
  return sharp({ create: { width, height, channels: 3, background: "#d00000" } })
    .composite(layers)
    .withExif({
      IFD0: { Make: cameraMake, Model: "Pocket 12" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 3230/100", GPSLongitudeRef: "W", GPSLongitude: "0/1 7/1 4366/100" },
    })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * A one-page PDF whose document information and XMP name its author and the software that
 * made it; with `photo`, the page shows that JPEG as scanning apps embed it (EXIF and all).
 */
export async function pdfWithAuthor(options: { photo?: Buffer } = {}): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setAuthor(secretAuthor);
  document.setCreator("Secret Scanner 3000");
  document.setProducer("Leaky PDF Library 1.0");
  const page = document.addPage([595, 842]);
  page.drawText("Minutes of the meeting", { x: 50, y: 780, size: 18, font: await document.embedFont(StandardFonts.Helvetica) });
  if (options.photo) page.drawImage(await document.embedJpg(options.photo), { x: 50, y: 100, width: 300, height: 400 });
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${secretAuthor}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  // XMP for the whole document, and (as some editors write) for the page too.
  for (const holder of [document.catalog, page.node]) {
    holder.set(PDFName.of("Metadata"), document.context.register(document.context.stream(xmp, { Type: "Metadata", Subtype: "XML" })));
  }
  // Without object streams every string is readable in the file, as in most PDFs out there.
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** The author's name as it may stand in a PDF: plain, or as a UTF-16 hex string (pdf-lib writes that). */
export function authorFoundIn(pdfText: string): boolean {
  const utf16Hex = Buffer.from(`\ufeff${secretAuthor}`, "utf16le").swap16().toString("hex");
  return pdfText.includes(secretAuthor) || pdfText.toLowerCase().includes(utf16Hex);
}

/**
 * Everything a PDF holds, its compressed streams inflated and every object written out, whether
 * anything refers to it or not: what a determined reader could dig out of the file.
 */
export async function pdfContentsForSearch(bytes: Uint8Array): Promise<Buffer> {
  const document = await PDFDocument.load(bytes, { updateMetadata: false });
  const parts: Buffer[] = [Buffer.from(bytes)];
  for (const [, object] of document.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) {
      parts.push(Buffer.from(object.toString(), "latin1"));
      continue;
    }
    parts.push(Buffer.from(object.dict.toString(), "latin1"));
    try {
      parts.push(Buffer.from(decodePDFRawStream(object).decode()));
    } catch {
      parts.push(Buffer.from(object.contents)); // JPEG (DCTDecode) and other image data, as is
    }
  }
  return Buffer.concat(parts);
}
