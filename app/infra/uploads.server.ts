import { createHash } from "node:crypto";
import { PDFDocument, PDFName } from "pdf-lib";
import sharp from "sharp";

/**
 * What an uploaded file becomes before anything is stored. Images are decoded and re-encoded
 * (turned upright by their EXIF orientation first), which drops every piece of metadata —
 * EXIF, GPS position, camera serial numbers, XMP, comments — and gives visitors a size fit for
 * a page instead of a 6 MB phone photo. PDFs lose their document information (author,
 * creator, dates) and XMP metadata. Nothing of the original upload is kept.
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

export type UploadProblem = "tooLarge" | "unsupportedType" | "unreadable" | "encryptedPdf";

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
const maxInputPixels = 120_000_000;

export async function processUpload(bytes: Buffer, options: { allowSvg?: boolean } = {}): Promise<ProcessedUpload> {
  if (bytes.byteLength > maxUploadBytes) throw new UploadRejected("tooLarge");
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return { kind: "PDF", files: [await processPdf(bytes)] };

  let format: string | undefined;
  try {
    format = (await sharp(bytes, { limitInputPixels: maxInputPixels }).metadata()).format;
  } catch {
    throw new UploadRejected("unsupportedType");
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
    throw new UploadRejected(/pixel limit/i.test(String(error)) ? "tooLarge" : "unreadable");
  }
}

async function processPdf(bytes: Buffer): Promise<StoredFile> {
  let document: PDFDocument;
  try {
    document = await PDFDocument.load(bytes, { updateMetadata: false });
  } catch (error) {
    throw new UploadRejected(/encrypt/i.test(String(error)) ? "encryptedPdf" : "unreadable");
  }
  if (document.isEncrypted) throw new UploadRejected("encryptedPdf");
  // The document information dictionary and the XMP stream name authors, software and dates.
  document.context.trailerInfo.Info = undefined;
  document.catalog.delete(PDFName.of("Metadata"));
  const cleaned = Buffer.from(await document.save({ updateFieldAppearances: false }));
  return storedFile("pdf", "application/pdf", cleaned, null, null);
}

function storedFile(variant: StoredFile["variant"], contentType: string, bytes: Buffer, width: number | null, height: number | null): StoredFile {
  return { variant, contentType, bytes, byteSize: bytes.byteLength, width, height, sha256: createHash("sha256").update(bytes).digest("hex") };
}
