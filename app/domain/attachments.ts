import { z } from "zod";
import type { Database, DatabaseOrTransaction, Transaction } from "~/infra/db.server";
import type { ReceivedFile } from "~/infra/multipart.server";
import { maxInputPixels, maxUploadBytes, processUpload, UploadRejected, type ProcessedUpload, type UploadProblem } from "~/infra/uploads.server";
import { optionalText, requiredText, validate, type FieldError, type FieldErrors, type Validated } from "./validation";

/**
 * Photographed pages, images and PDFs attached to an appeal, shown as its gallery. Their bytes
 * live in the database (AttachmentFile), so every web process serves the same files; URLs carry
 * a hash of the bytes, so they can be cached for ever and change when the file does.
 */
export const attachmentLimits = { altText: 300, caption: 500, credit: 200, fileName: 120 } as const;

export type AttachmentView = {
  id: string;
  kind: "IMAGE" | "PDF";
  altText: string;
  caption: string | null;
  credit: string | null;
  fileName: string;
  /** The image in the page; null for a PDF. */
  display: { url: string; width: number; height: number } | null;
  /** The large image or the PDF, opened on its own. */
  original: { url: string; byteSize: number; contentType: string };
};

type FileRow = { variant: string; contentType: string; byteSize: number; width: number | null; height: number | null; sha256: string };

const extensions: Record<string, string> = { "image/webp": "webp", "image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf" };

/** `/attachments/<id>/<variant>-<hash>.<ext>`: the route checks the hash, so a stale URL fails rather than showing other bytes. */
export function attachmentFileUrl(attachmentId: string, file: Pick<FileRow, "variant" | "sha256" | "contentType">): string {
  return `/attachments/${attachmentId}/${file.variant}-${file.sha256.slice(0, 16)}.${extensions[file.contentType] ?? "bin"}`;
}

/** Parses the last part of such a URL. */
export function parseAttachmentFileName(name: string): { variant: string; hashPrefix: string } | null {
  const match = /^(display|full|pdf)-([0-9a-f]{16})\.[a-z]+$/.exec(name);
  return match ? { variant: match[1]!, hashPrefix: match[2]! } : null;
}

const fileColumns = { variant: true, contentType: true, byteSize: true, width: true, height: true, sha256: true } as const;

export function toAttachmentView(attachment: {
  id: string;
  kind: "IMAGE" | "PDF";
  altText: string;
  caption: string | null;
  credit: string | null;
  fileName: string;
  files: FileRow[];
}): AttachmentView | null {
  const display = attachment.files.find((file) => file.variant === "display");
  const original = attachment.files.find((file) => file.variant === (attachment.kind === "PDF" ? "pdf" : "full"));
  if (!original) return null;
  return {
    id: attachment.id,
    kind: attachment.kind,
    altText: attachment.altText,
    caption: attachment.caption,
    credit: attachment.credit,
    fileName: attachment.fileName,
    display:
      display && display.width && display.height
        ? { url: attachmentFileUrl(attachment.id, display), width: display.width, height: display.height }
        : null,
    original: { url: attachmentFileUrl(attachment.id, original), byteSize: original.byteSize, contentType: original.contentType },
  };
}

/** The select that toAttachmentView needs, for use inside other queries. */
export const attachmentViewSelect = {
  id: true,
  kind: true,
  altText: true,
  caption: true,
  credit: true,
  fileName: true,
  files: { select: fileColumns },
} as const;

/** Ids come from URLs and forms; anything else would make Postgres refuse the query (a 500). */
function isId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * The order of an appeal's gallery, for every query that lists it. Ties cannot happen (changes
 * wait for each other, see lockGallery), but would break by age.
 */
export const galleryOrder = [{ position: "asc" }, { createdAt: "asc" }, { id: "asc" }] as const;

export async function listAttachments(db: DatabaseOrTransaction, appealId: string): Promise<AttachmentView[]> {
  if (!isId(appealId)) return [];
  const attachments = await db.appealAttachment.findMany({ where: { appealId }, orderBy: [...galleryOrder], select: attachmentViewSelect });
  return attachments.flatMap((attachment) => toAttachmentView(attachment) ?? []);
}

export type AttachmentDetails = { altText: string; caption: string | null; credit: string | null };

/**
 * What an organizer writes about an attachment. The alt text is required: for an image it is
 * what a screen reader says instead of the picture; for a PDF it is the link's text.
 */
const attachmentDetailsSchema = z.object({
  // One line, as a screen reader or a link reads it, though it is typed in a box of two.
  altText: requiredText(attachmentLimits.altText, "attachments.altTextRequired", "attachments.altTextTooLong").transform((text) => text.replace(/\s+/g, " ")),
  caption: optionalText(attachmentLimits.caption, "attachments.captionTooLong"),
  credit: optionalText(attachmentLimits.credit, "attachments.creditTooLong"),
});

export function validateAttachmentDetails(raw: Record<string, unknown>): Validated<AttachmentDetails> {
  return validate(attachmentDetailsSchema, raw);
}

export const maxUploadMegabytes = maxUploadBytes / (1024 * 1024);

const uploadProblemErrors: Record<UploadProblem, FieldError> = {
  tooLarge: { id: "attachments.fileTooLarge", values: { max: maxUploadMegabytes } },
  tooManyPixels: { id: "attachments.fileTooManyPixels", values: { megapixels: maxInputPixels / 1_000_000 } },
  unsupportedType: { id: "attachments.fileUnsupportedType" },
  unreadable: { id: "attachments.fileUnreadable" },
  encryptedPdf: { id: "attachments.fileEncryptedPdf" },
};

/** The message for a file that cannot become an attachment. */
export function uploadProblemError(problem: UploadProblem): FieldError {
  return uploadProblemErrors[problem];
}

export type PreparedUpload = { upload: ProcessedUpload; details: AttachmentDetails; fileName: string };

/**
 * Checks an upload and makes the files visitors will get (processUpload: re-encoded, metadata
 * gone, resized). The file is processed even when the texts have a problem, so that every
 * problem is reported at once and fixed in one go.
 */
export async function prepareAttachmentUpload(raw: Record<string, unknown>, file: ReceivedFile): Promise<Validated<PreparedUpload>> {
  const details = validateAttachmentDetails(raw);
  const fieldErrors: FieldErrors = details.ok ? {} : { ...details.fieldErrors };
  let prepared: Pick<PreparedUpload, "upload" | "fileName"> | null = null;
  if (file.status === "none") fieldErrors.file = { id: "attachments.fileRequired" };
  else if (file.status === "tooLarge") fieldErrors.file = uploadProblemError("tooLarge");
  else {
    try {
      prepared = { upload: await processUpload(file.bytes), fileName: file.fileName };
    } catch (error) {
      if (!(error instanceof UploadRejected)) throw error;
      fieldErrors.file = uploadProblemError(error.problem);
    }
  }
  if (!details.ok || !prepared) return { ok: false, fieldErrors };
  return { ok: true, value: { ...prepared, details: details.value } };
}

/**
 * Changes to one appeal's gallery (adding, moving, removing) wait for each other, so two
 * organizers at work at once cannot give two attachments the same place. The lock is on the
 * appeal's row but lets signatures (which only reference the appeal) through. False when the
 * appeal does not exist.
 */
async function lockGallery(tx: Transaction, appealId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 AS locked FROM "Appeal" WHERE id = ${appealId}::uuid FOR NO KEY UPDATE`;
  return rows.length === 1;
}

async function galleryInOrder(tx: Transaction, appealId: string) {
  return tx.appealAttachment.findMany({ where: { appealId }, orderBy: [...galleryOrder], select: { id: true, position: true } });
}

/** Positions 0, 1, 2… in the given order, so they stay contiguous; only changed rows are written. */
async function renumber(tx: Transaction, ordered: { id: string; position: number }[]): Promise<void> {
  for (const [index, attachment] of ordered.entries()) {
    if (attachment.position !== index) await tx.appealAttachment.update({ where: { id: attachment.id }, data: { position: index } });
  }
}

/** Adds a processed upload at the end of the appeal's gallery. */
export async function addAttachment(
  db: Database,
  appealId: string,
  upload: ProcessedUpload,
  details: AttachmentDetails & { fileName: string },
): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    if (!(await lockGallery(tx, appealId))) throw new Error(`appeal ${appealId} not found`);
    const last = await tx.appealAttachment.aggregate({ where: { appealId }, _max: { position: true } });
    return tx.appealAttachment.create({
      data: {
        appealId,
        position: (last._max.position ?? -1) + 1,
        kind: upload.kind,
        width: upload.kind === "IMAGE" ? upload.width : null,
        height: upload.kind === "IMAGE" ? upload.height : null,
        altText: details.altText,
        caption: details.caption,
        credit: details.credit,
        fileName: safeFileName(details.fileName, upload.kind),
        files: {
          create: upload.files.map((file) => ({
            variant: file.variant,
            contentType: file.contentType,
            byteSize: file.byteSize,
            width: file.width,
            height: file.height,
            sha256: file.sha256,
            bytes: new Uint8Array(file.bytes),
          })),
        },
      },
      select: { id: true },
    });
  });
}

/** New alt text, caption and credit. False when the attachment is not one of this appeal's. */
export async function updateAttachmentDetails(db: DatabaseOrTransaction, appealId: string, attachmentId: string, details: AttachmentDetails): Promise<boolean> {
  if (!isId(appealId) || !isId(attachmentId)) return false;
  const { count } = await db.appealAttachment.updateMany({ where: { id: attachmentId, appealId }, data: details });
  return count === 1;
}

export type MoveDirection = "up" | "down";

/**
 * One place earlier ("up") or later in the gallery; at either end it stays. Returns its new
 * position (0 first), or null when the attachment is not one of this appeal's.
 */
export async function moveAttachment(db: Database, appealId: string, attachmentId: string, direction: MoveDirection): Promise<{ position: number } | null> {
  if (!isId(appealId) || !isId(attachmentId)) return null;
  return db.$transaction(async (tx) => {
    if (!(await lockGallery(tx, appealId))) return null;
    const gallery = await galleryInOrder(tx, appealId);
    const from = gallery.findIndex((attachment) => attachment.id === attachmentId);
    if (from < 0) return null;
    const to = Math.min(gallery.length - 1, Math.max(0, from + (direction === "up" ? -1 : 1)));
    const [moved] = gallery.splice(from, 1);
    gallery.splice(to, 0, moved!);
    await renumber(tx, gallery);
    return { position: to };
  });
}

/** Deletes the attachment and its files; the rest close the gap. False when it is not one of this appeal's. */
export async function removeAttachment(db: Database, appealId: string, attachmentId: string): Promise<boolean> {
  if (!isId(appealId) || !isId(attachmentId)) return false;
  return db.$transaction(async (tx) => {
    if (!(await lockGallery(tx, appealId))) return false;
    const { count } = await tx.appealAttachment.deleteMany({ where: { id: attachmentId, appealId } });
    if (count === 0) return false;
    await renumber(tx, await galleryInOrder(tx, appealId));
    return true;
  });
}

/** What a visitor downloads is named after the upload, without paths or odd characters. */
export function safeFileName(uploaded: string, kind: "IMAGE" | "PDF"): string {
  const base = (uploaded.split(/[\\/]/).pop() ?? "")
    .replace(/\.[^.]*$/, "")
    .normalize("NFC")
    .replace(/[^\p{L}\p{N} ._-]+/gu, "")
    .trim()
    .slice(0, attachmentLimits.fileName);
  return `${base || "attachment"}.${kind === "PDF" ? "pdf" : "jpg"}`;
}

export type AttachmentFileForVisitor = {
  bytes: Uint8Array;
  contentType: string;
  sha256: string;
  fileName: string;
  /** Drafts' files are for organizers only. */
  appealIsDraft: boolean;
};

/** The bytes behind an attachment URL, or null when the URL does not name current bytes. */
export async function findAttachmentFile(
  db: DatabaseOrTransaction,
  attachmentId: string,
  fileName: string,
): Promise<AttachmentFileForVisitor | null> {
  const wanted = parseAttachmentFileName(fileName);
  if (!wanted || !isId(attachmentId)) return null;
  const file = await db.attachmentFile.findUnique({
    where: { attachmentId_variant: { attachmentId, variant: wanted.variant } },
    select: { bytes: true, contentType: true, sha256: true, attachment: { select: { fileName: true, appeal: { select: { status: true } } } } },
  });
  if (!file || !file.sha256.startsWith(wanted.hashPrefix)) return null;
  return {
    bytes: file.bytes,
    contentType: file.contentType,
    sha256: file.sha256,
    fileName: file.attachment.fileName,
    appealIsDraft: file.attachment.appeal.status === "DRAFT",
  };
}
