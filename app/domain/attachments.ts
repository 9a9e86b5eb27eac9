import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import type { ProcessedUpload } from "~/infra/uploads.server";

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

export async function listAttachments(db: DatabaseOrTransaction, appealId: string): Promise<AttachmentView[]> {
  const attachments = await db.appealAttachment.findMany({ where: { appealId }, orderBy: { position: "asc" }, select: attachmentViewSelect });
  return attachments.flatMap((attachment) => toAttachmentView(attachment) ?? []);
}

export type AttachmentDetails = { altText: string; caption: string | null; credit: string | null };

/** Adds a processed upload at the end of the appeal's gallery. */
export async function addAttachment(
  db: Database,
  appealId: string,
  upload: ProcessedUpload,
  details: AttachmentDetails & { fileName: string },
): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
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
  if (!wanted || !/^[0-9a-f-]{36}$/.test(attachmentId)) return null;
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
