import { createHash } from "node:crypto";
import type { PDFContext, PDFDocument, PDFObject, PDFRawStream } from "pdf-lib";

// sharp (about 30 MB with libvips) and pdf-lib (about 20 MB) are loaded by the first upload:
// a web process that only serves readers and signers never holds them.
const loadSharp = () => import("sharp").then((module) => module.default);
const loadPdfLib = () => import("pdf-lib");
type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

/**
 * What an uploaded file becomes before anything is stored. Images are decoded and re-encoded
 * (turned upright by their EXIF orientation first), which drops every piece of metadata —
 * EXIF, GPS position, camera serial numbers, XMP, comments — and gives visitors a size fit for
 * a page instead of a 6 MB phone photo. PDFs lose their document information (author,
 * creator, dates), XMP metadata, attached files, scripts, comments' authors, and the EXIF of
 * photos embedded in them; what the pages show stays as it is. Nothing of the original upload is kept.
 */
export type StoredFile = {
  variant: "display" | "full" | "pdf";
  contentType: string;
  bytes: Buffer;
  byteSize: number;
  width: number | null;
  height: number | null;
  sha256: string;
};

export type ProcessedUpload = { kind: "IMAGE"; files: StoredFile[]; width: number; height: number } | { kind: "PDF"; files: StoredFile[] };

export type UploadProblem = "tooLarge" | "tooManyPixels" | "unsupportedType" | "unreadable" | "encryptedPdf";

export class UploadRejected extends Error {
  constructor(public readonly problem: UploadProblem) {
    super(`upload rejected: ${problem}`);
    this.name = "UploadRejected";
  }
}

export const maxUploadBytes = 10 * 1024 * 1024;
/** Width of the image in the page (twice the column, for sharp text on dense screens). */
const displayMaxWidth = 1400;
/** Opened on its own: enough to read a photographed page. */
const fullMaxSide = 2600;
/** Decoding bombs: a small file that would decompress to billions of pixels is refused. */
export const maxInputPixels = 120_000_000;
const exceedsPixelLimit = (error: unknown) => /pixel limit/i.test(String(error));

export async function processUpload(bytes: Buffer, options: { allowSvg?: boolean } = {}): Promise<ProcessedUpload> {
  if (bytes.byteLength > maxUploadBytes) throw new UploadRejected("tooLarge");
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return { kind: "PDF", files: [await processPdf(bytes)] };

  const sharp = await loadSharp();
  let format: string | undefined;
  try {
    format = (await sharp(bytes, { limitInputPixels: maxInputPixels }).metadata()).format;
  } catch (error) {
    throw new UploadRejected(exceedsPixelLimit(error) ? "tooManyPixels" : "unsupportedType");
  }
  const allowed = ["jpeg", "png", "webp", ...(options.allowSvg ? ["svg"] : [])];
  if (!format || !allowed.includes(format)) throw new UploadRejected("unsupportedType");
  try {
    // rotate() with no angle applies the EXIF orientation; the output carries no metadata.
    const upright = () => sharp(bytes, { limitInputPixels: maxInputPixels, density: format === "svg" ? 144 : undefined }).rotate();
    const display = await upright()
      .resize({ width: displayMaxWidth, withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const full = await upright()
      .resize({ width: fullMaxSide, height: fullMaxSide, fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return {
      kind: "IMAGE",
      width: display.info.width,
      height: display.info.height,
      files: [
        storedFile("display", "image/webp", display.data, display.info.width, display.info.height),
        storedFile("full", "image/jpeg", full.data, full.info.width, full.info.height),
      ],
    };
  } catch (error) {
    if (error instanceof UploadRejected) throw error;
    throw new UploadRejected(exceedsPixelLimit(error) ? "tooManyPixels" : "unreadable");
  }
}

async function processPdf(bytes: Buffer): Promise<StoredFile> {
  const pdf = await loadPdfLib();
  let source: PDFDocument;
  try {
    source = await pdf.PDFDocument.load(bytes, { updateMetadata: false });
  } catch (error) {
    throw new UploadRejected(/encrypt/i.test(String(error)) ? "encryptedPdf" : "unreadable");
  }
  if (source.isEncrypted) throw new UploadRejected("encryptedPdf");
  try {
    // Only the pages move to a new document. Left behind: the document information (author,
    // creator, dates), XMP metadata, attached files, scripts, bookmarks and form data. Removing
    // them from the original would not do: pdf-lib writes every object it read, referenced or not.
    const cleaned = await pdf.PDFDocument.create({ updateMetadata: false });
    for (const page of await cleaned.copyPages(source, source.getPageIndices())) cleaned.addPage(page);
    dropPdfMetadata(pdf, cleaned.context);
    return storedFile("pdf", "application/pdf", Buffer.from(await cleaned.save({ updateFieldAppearances: false })), null, null);
  } catch (error) {
    if (error instanceof UploadRejected) throw error;
    throw new UploadRejected("unreadable");
  }
}

/**
 * Keys dropped wherever they appear: XMP streams (Metadata), applications' private data
 * (PieceInfo), the bytes of attached files (EF), and scripts (JS, and AA: actions on events).
 */
const droppedKeys = ["Metadata", "PieceInfo", "EF", "JS", "AA"];

/**
 * Removes what the copied pages still carry: XMP metadata of pages and images, attached files,
 * scripts, comments' authors, and the EXIF and XMP inside embedded JPEG photos (a scanning app's
 * PDF holds the camera's JPEGs, GPS and all).
 * Then objects nothing refers to any more are deleted, so that they are not written out.
 */
function dropPdfMetadata(pdf: PdfLib, context: PDFContext): void {
  const { PDFArray, PDFDict, PDFName, PDFRawStream, PDFRef, PDFStream } = pdf;
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : null;
    for (const key of droppedKeys) dict?.delete(PDFName.of(key));
    // A comment's author (T); form fields (widgets) use T for their name.
    const subtype = dict?.get(PDFName.of("Subtype"));
    if (dict?.has(PDFName.of("Rect")) && subtype instanceof PDFName && subtype !== PDFName.of("Widget")) dict.delete(PDFName.of("T"));
    if (object instanceof PDFRawStream && isJpegStream(pdf, object)) {
      context.assign(ref, PDFRawStream.of(object.dict, jpegWithoutMetadata(object.contents)));
    }
  }
  const reachable = new Set<string>();
  const visit = (object: PDFObject | undefined): void => {
    if (object instanceof PDFRef) {
      if (reachable.has(object.tag)) return;
      reachable.add(object.tag);
      visit(context.lookup(object));
    } else if (object instanceof PDFDict) for (const [, value] of object.entries()) visit(value);
    else if (object instanceof PDFArray) for (const value of object.asArray()) visit(value);
    else if (object instanceof PDFStream) visit(object.dict);
  };
  visit(context.trailerInfo.Root);
  for (const [ref] of context.enumerateIndirectObjects()) if (!reachable.has(ref.tag)) context.delete(ref);
}

function isJpegStream({ PDFArray, PDFName }: PdfLib, stream: PDFRawStream): boolean {
  const filter = stream.dict.get(PDFName.of("Filter"));
  const only = filter instanceof PDFArray && filter.size() === 1 ? filter.get(0) : filter;
  return only === PDFName.of("DCTDecode");
}

/**
 * A JPEG with only what draws the picture: APP1 (EXIF, XMP), APP13 (Photoshop, IPTC) and
 * comments are dropped, and so is anything after the end of the image (phones append more
 * pictures there). The colour segments (JFIF, ICC, Adobe) and the image data are kept as they are.
 */
export function jpegWithoutMetadata(jpeg: Uint8Array): Buffer {
  const bytes = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new UploadRejected("unreadable");
  const kept: Buffer[] = [bytes.subarray(0, 2)];
  let offset = 2;
  for (;;) {
    if (offset + 4 > bytes.length || bytes[offset] !== 0xff) throw new UploadRejected("unreadable");
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xda) break; // start of scan: the picture itself follows
    const end = offset + 2 + bytes.readUInt16BE(offset + 2);
    if (end > bytes.length) throw new UploadRejected("unreadable");
    if (marker !== 0xe1 && marker !== 0xed && marker !== 0xfe) kept.push(bytes.subarray(offset, end));
    offset = end;
  }
  // In the image data 0xFF is always followed by 0x00 or a restart marker, so the first FF D9 ends it.
  const endOfImage = bytes.indexOf(Buffer.from([0xff, 0xd9]), offset);
  kept.push(bytes.subarray(offset, endOfImage < 0 ? bytes.length : endOfImage + 2));
  return Buffer.concat(kept);
}

function storedFile(variant: StoredFile["variant"], contentType: string, bytes: Buffer, width: number | null, height: number | null): StoredFile {
  return { variant, contentType, bytes, byteSize: bytes.byteLength, width, height, sha256: createHash("sha256").update(bytes).digest("hex") };
}
