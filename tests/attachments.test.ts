import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import { PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import sharp from "sharp";
import { getPublicAppeal } from "~/domain/appeals";
import { addAttachment, listAttachments, moveAttachment, removeAttachment, updateAttachmentDetails } from "~/domain/attachments";
import type { SignedInOrganizer } from "~/domain/organizers";
import { maxUploadBytes, processUpload, UploadRejected, type UploadProblem } from "~/infra/uploads.server";
import { action } from "~/routes/organize.appeals.$id.attachments";
import { createTestAppeal } from "./support/appeals";
import { authorFoundIn, cameraMake, pdfContentsForSearch, pdfWithAuthor, phonePhoto, photoMetadataFoundIn } from "./support/attachments";
import { testLoadContext } from "./support/context";
import { useDatabasePerTest, type TestDatabase } from "./support/database";

const organizer: SignedInOrganizer = { id: randomUUID(), name: "Eddie Editor", email: "eddie@organizers.example", role: "EDITOR" };

type ActionOutcome = { status: number; location?: string; data?: { fieldErrors?: Record<string, { id: string; values?: object }>; fields?: Record<string, string> } };

/** Posts a form to the attachments page's action as the browser would, and says what came back. */
async function postToAttachmentsPage(t: TestDatabase, appealId: string, body: FormData | URLSearchParams): Promise<ActionOutcome> {
  const context = testLoadContext(t.db, t.url, { organizer });
  try {
    const request = new Request(`http://localhost/organize/appeals/${appealId}/attachments`, { method: "POST", body });
    let result: unknown;
    try {
      result = await action({ request, params: { id: appealId }, context });
    } catch (thrown) {
      result = thrown;
    }
    if (result instanceof Response) return { status: result.status, location: result.headers.get("location") ?? undefined };
    const { data, init } = result as { data: ActionOutcome["data"]; init?: { status?: number } };
    return { status: init?.status ?? 200, data };
  } finally {
    await context.close();
  }
}

function uploadForm(file: { bytes: Uint8Array; name: string; type: string } | null, texts: Record<string, string>): FormData {
  const form = new FormData();
  form.set("intent", "upload");
  form.set("file", new Blob(file ? [Buffer.from(file.bytes)] : [], { type: file?.type ?? "application/octet-stream" }), file?.name ?? "");
  for (const [name, value] of Object.entries(texts)) form.set(name, value);
  return form;
}

async function storedFiles(t: TestDatabase, attachmentId: string) {
  return t.db.attachmentFile.findMany({ where: { attachmentId }, orderBy: { variant: "asc" } });
}

function attachmentIdFrom(location: string | undefined): string {
  const id = /[?&]uploaded=([0-9a-f-]{36})/.exec(location ?? "")?.[1];
  assert.ok(id, `expected a redirect naming the new attachment, got ${location}`);
  return id;
}

/** The colour of one pixel as [r, g, b]. */
async function pixel(bytes: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const start = (Math.round(y) * info.width + Math.round(x)) * info.channels;
  return [...data.subarray(start, start + 3)];
}

describe("uploading attachments: what visitors get", () => {
  const t = useDatabasePerTest();

  test("a phone photo is stored upright, resized, and without EXIF, GPS position or camera in any variant", async () => {
    const appeal = await createTestAppeal(t.db, { status: "DRAFT", publishedAt: null });
    const photo = await phonePhoto({ width: 4000, height: 3000 });
    // The test means something only if the photo carries what must go.
    const original = await sharp(photo).metadata();
    assert.equal(original.orientation, 6);
    assert.ok(original.exif);
    assert.deepEqual(photoMetadataFoundIn(photo).sort(), ["an Exif header", "the GPS latitude (little-endian)", "the camera make"].sort());

    const outcome = await postToAttachmentsPage(t, appeal.id, uploadForm({ bytes: photo, name: "IMG_2041.JPG", type: "image/jpeg" }, { altText: " Page one\r\n of the letter " }));
    assert.equal(outcome.status, 303);
    const attachmentId = attachmentIdFrom(outcome.location);
    const stored = await t.db.appealAttachment.findUniqueOrThrow({ where: { id: attachmentId } });
    assert.deepEqual([stored.altText, stored.fileName, stored.kind, stored.position], ["Page one of the letter", "IMG_2041.jpg", "IMAGE", 0]);
    const files = await storedFiles(t, attachmentId);
    assert.deepEqual(
      files.map((file) => [file.variant, file.contentType]),
      [
        ["display", "image/webp"],
        ["full", "image/jpeg"],
      ],
    );
    for (const file of files) {
      const metadata = await sharp(file.bytes).metadata();
      assert.equal(metadata.exif, undefined, `${file.variant}: EXIF`);
      assert.equal(metadata.xmp, undefined, `${file.variant}: XMP`);
      assert.equal(metadata.iptc, undefined, `${file.variant}: IPTC`);
      assert.equal(metadata.orientation, undefined, `${file.variant}: orientation tag`);
      assert.deepEqual(photoMetadataFoundIn(file.bytes), [], `${file.variant}: metadata left in the bytes`);
      assert.ok(!Buffer.from(file.bytes).includes(cameraMake));
      // Upright: the phone held it sideways, so the 4000×3000 pixels become a portrait page
      // whose left half is blue and right half red.
      assert.ok(metadata.height > metadata.width, `${file.variant}: ${metadata.width}×${metadata.height} is not upright`);
      const [left, right] = [await pixel(file.bytes, 20, metadata.height / 2), await pixel(file.bytes, metadata.width - 20, metadata.height / 2)];
      assert.ok(left[2]! > 150 && left[0]! < 100, `${file.variant}: left should be blue, is ${left}`);
      assert.ok(right[0]! > 150 && right[2]! < 100, `${file.variant}: right should be red, is ${right}`);
      assert.equal(file.byteSize, file.bytes.byteLength);
    }
    const [display, full] = files;
    assert.deepEqual([display!.width, display!.height], [1400, 1867]);
    assert.deepEqual([full!.width, full!.height], [1950, 2600]);
    assert.ok(display!.bytes.byteLength < photo.byteLength);
  });

  test("a PDF loses its author, creator, XMP and the EXIF of the photos in it; its page stays", async () => {
    const appeal = await createTestAppeal(t.db);
    const pdf = await pdfWithAuthor({ photo: await phonePhoto({ width: 800, height: 600 }) });
    const before = await PDFDocument.load(pdf, { updateMetadata: false });
    assert.equal(before.getAuthor(), "Jane Whistleblower");
    assert.ok(authorFoundIn((await pdfContentsForSearch(pdf)).toString("latin1")));
    assert.ok(photoMetadataFoundIn(pdf).includes("the GPS latitude (little-endian)"));

    const outcome = await postToAttachmentsPage(t, appeal.id, uploadForm({ bytes: pdf, name: "minutes.pdf", type: "application/pdf" }, { altText: "Minutes of the meeting" }));
    assert.equal(outcome.status, 303);
    const [stored, ...others] = await storedFiles(t, attachmentIdFrom(outcome.location));
    assert.equal(others.length, 0);
    assert.equal(stored!.variant, "pdf");

    const after = await PDFDocument.load(stored!.bytes, { updateMetadata: false });
    assert.equal(after.getPageCount(), 1);
    for (const field of [after.getAuthor(), after.getCreator(), after.getProducer(), after.getTitle(), after.getCreationDate()]) assert.equal(field, undefined);
    assert.equal(after.catalog.get(PDFName.of("Metadata")), undefined);
    const everything = await pdfContentsForSearch(stored!.bytes);
    assert.ok(!authorFoundIn(everything.toString("latin1")), "the author's name is still somewhere in the PDF");
    for (const word of ["Secret Scanner", "Leaky PDF Library", "xmpmeta"]) assert.ok(!everything.includes(word), `"${word}" is still in the PDF`);
    assert.deepEqual(photoMetadataFoundIn(everything), []);

    // The photo on the page is still a picture, only without its metadata.
    const images = after.context.enumerateIndirectObjects().flatMap(([, object]) => (object instanceof PDFRawStream && object.dict.get(PDFName.of("Filter")) === PDFName.of("DCTDecode") ? [object] : []));
    assert.equal(images.length, 1);
    const picture = await sharp(images[0]!.contents).metadata();
    assert.deepEqual([picture.width, picture.height, picture.exif], [800, 600, undefined]);
  });

  test("SVG, a web page named .jpg, a damaged or password-protected PDF, a file over 10 MB and a decoding bomb are refused", async () => {
    const refusal = async (bytes: Buffer): Promise<UploadProblem | "accepted"> =>
      processUpload(bytes).then(
        () => "accepted",
        (error: unknown) => {
          if (error instanceof UploadRejected) return error.problem;
          throw error;
        },
      );
    const pdf = await pdfWithAuthor();
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>';
    assert.equal(await refusal(Buffer.from(svg)), "unsupportedType");
    assert.equal(await refusal(Buffer.from("<!doctype html><html><body><script>alert(1)</script></body></html>")), "unsupportedType");
    assert.equal(await refusal(pdf.subarray(0, 300)), "unreadable");
    assert.equal(await refusal(Buffer.from(pdf.toString("latin1").replace("/Root", "/Encrypt << /Filter /Standard /V 1 /R 2 >>\n/Root"), "latin1")), "encryptedPdf");
    assert.equal(await refusal(Buffer.concat([await phonePhoto({ width: 40, height: 30 }), Buffer.alloc(maxUploadBytes)])), "tooLarge");
    assert.equal(await refusal(await phonePhoto({ width: 40, height: 30 })), "accepted");
    // A decoding bomb: a PNG of a few bytes that says it is 50 000 × 50 000 pixels.
    const bomb = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#888" } }).png().toBuffer();
    bomb.writeUInt32BE(50_000, 16);
    bomb.writeUInt32BE(50_000, 20);
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29); // the IHDR chunk's checksum
    assert.equal(await refusal(bomb), "tooManyPixels");
  });

  test("the form says what is wrong with each field and gives back what was typed", async () => {
    const appeal = await createTestAppeal(t.db);
    const typed = { altText: "", caption: "Delivered on 3 March", credit: "Photo: R. Ahmed" };

    const webPage = await postToAttachmentsPage(t, appeal.id, uploadForm({ bytes: Buffer.from("<html><body>hi</body></html>"), name: "page-1.jpg", type: "image/jpeg" }, typed));
    assert.equal(webPage.status, 400);
    assert.equal(webPage.data?.fieldErrors?.file?.id, "attachments.fileUnsupportedType");
    assert.equal(webPage.data?.fieldErrors?.altText?.id, "attachments.altTextRequired");
    assert.deepEqual(webPage.data?.fields, typed);

    // Past the limit the file is read to its end and dropped; the texts after it still arrive.
    const huge = await postToAttachmentsPage(t, appeal.id, uploadForm({ bytes: Buffer.alloc(maxUploadBytes + 1), name: "scan.jpg", type: "image/jpeg" }, { ...typed, altText: "Scan" }));
    assert.equal(huge.status, 400);
    assert.deepEqual(huge.data?.fieldErrors, { file: { id: "attachments.fileTooLarge", values: { max: 10 } } });
    assert.deepEqual(huge.data?.fields, { ...typed, altText: "Scan" });

    const noFile = await postToAttachmentsPage(t, appeal.id, uploadForm(null, { altText: "x".repeat(301), caption: "y".repeat(501), credit: "" }));
    assert.equal(noFile.status, 400);
    assert.deepEqual(noFile.data?.fieldErrors, {
      file: { id: "attachments.fileRequired" },
      altText: { id: "attachments.altTextTooLong", values: { max: 300 } },
      caption: { id: "attachments.captionTooLong", values: { max: 500 } },
    });
    assert.equal(await t.db.appealAttachment.count(), 0);
  });
  test("a request far beyond the limit is cut off with 413, whether or not it declares its size", async () => {
    const appeal = await createTestAppeal(t.db);
    const context = testLoadContext(t.db, t.url, { organizer });
    const url = `http://localhost/organize/appeals/${appeal.id}/attachments`;
    const answer = async (request: Request) => {
      const result = await action({ request, params: { id: appeal.id }, context });
      return { status: (result as { init?: { status?: number } }).init?.status, fieldErrors: (result as { data: { fieldErrors: unknown } }).data.fieldErrors };
    };
    const expected = { status: 413, fieldErrors: { file: { id: "attachments.fileTooLarge", values: { max: 10 } } } };
    try {
      const declared = uploadForm({ bytes: Buffer.alloc(10), name: "a.jpg", type: "image/jpeg" }, { altText: "A" });
      assert.deepEqual(await answer(new Request(url, { method: "POST", body: declared, headers: { "content-length": String(200 * 1024 * 1024) } })), expected);

      // Sent in chunks without a length: reading stops past 100 MB.
      const boundary = "----undersign-test";
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
      let chunksSent = 0;
      const megabyte = new Uint8Array(1024 * 1024);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          chunksSent++;
          if (chunksSent === 1) controller.enqueue(new TextEncoder().encode(head));
          else if (chunksSent < 200) controller.enqueue(megabyte);
          else controller.close();
        },
      });
      const streamed = new Request(url, { method: "POST", body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, duplex: "half" } as RequestInit);
      assert.deepEqual(await answer(streamed), expected);
      assert.ok(chunksSent < 110, `read ${chunksSent} MB`);
    } finally {
      await context.close();
    }
  });
});

describe("the order of an appeal's attachments", () => {
  const t = useDatabasePerTest();

  async function appealWithAttachments(count: number) {
    const appeal = await createTestAppeal(t.db);
    const upload = await processUpload(await sharp({ create: { width: 8, height: 8, channels: 3, background: "#888" } }).png().toBuffer());
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      ids.push((await addAttachment(t.db, appeal.id, upload, { altText: `Page ${index + 1}`, caption: null, credit: null, fileName: `page-${index + 1}.png` })).id);
    }
    return { ...appeal, ids };
  }

  const positions = (appealId: string) =>
    t.db.appealAttachment.findMany({ where: { appealId }, orderBy: { position: "asc" }, select: { altText: true, position: true } }).then((rows) => rows.map((row) => `${row.position}:${row.altText}`));

  test("moving up and down swaps neighbours, stops at the ends, and the public gallery follows", async () => {
    const appeal = await appealWithAttachments(3);
    const [first, , third] = appeal.ids;
    assert.deepEqual(await moveAttachment(t.db, appeal.id, third!, "up"), { position: 1 });
    assert.deepEqual(await positions(appeal.id), ["0:Page 1", "1:Page 3", "2:Page 2"]);
    assert.deepEqual(await moveAttachment(t.db, appeal.id, first!, "up"), { position: 0 });
    assert.deepEqual(await moveAttachment(t.db, appeal.id, first!, "down"), { position: 1 });
    assert.deepEqual(await moveAttachment(t.db, appeal.id, appeal.ids[1]!, "down"), { position: 2 });
    assert.deepEqual(await moveAttachment(t.db, appeal.id, appeal.ids[1]!, "down"), { position: 2 });
    assert.deepEqual(await positions(appeal.id), ["0:Page 3", "1:Page 1", "2:Page 2"]);

    const publicGallery = (await getPublicAppeal(t.db, appeal.slug, "en"))?.attachments.map((attachment) => attachment.altText);
    assert.deepEqual(publicGallery, ["Page 3", "Page 1", "Page 2"]);
    assert.deepEqual((await listAttachments(t.db, appeal.id)).map((attachment) => attachment.altText), publicGallery);
  });

  test("positions stay 0, 1, 2… after a move or a removal, even when they had gaps", async () => {
    const appeal = await appealWithAttachments(4);
    // As left by an older version or a hand-edited database.
    for (const [index, id] of appeal.ids.entries()) await t.db.appealAttachment.update({ where: { id }, data: { position: index * 10 + 5 } });
    await moveAttachment(t.db, appeal.id, appeal.ids[3]!, "up");
    assert.deepEqual(await positions(appeal.id), ["0:Page 1", "1:Page 2", "2:Page 4", "3:Page 3"]);

    assert.equal(await removeAttachment(t.db, appeal.id, appeal.ids[1]!), true);
    assert.deepEqual(await positions(appeal.id), ["0:Page 1", "1:Page 4", "2:Page 3"]);
    assert.equal(await t.db.attachmentFile.count({ where: { attachmentId: appeal.ids[1]! } }), 0, "its files go with it");
  });

  test("moves made at the same moment never give two attachments one place", async () => {
    const appeal = await appealWithAttachments(5);
    await Promise.all(appeal.ids.flatMap((id) => [moveAttachment(t.db, appeal.id, id, "up"), moveAttachment(t.db, appeal.id, id, "down")]));
    const after = await t.db.appealAttachment.findMany({ where: { appealId: appeal.id }, select: { position: true } });
    assert.deepEqual(after.map((row) => row.position).sort(), [0, 1, 2, 3, 4]);
  });

  test("an attachment of another appeal cannot be moved, edited or removed through this one", async () => {
    const mine = await appealWithAttachments(2);
    const theirs = await appealWithAttachments(1);
    const foreign = theirs.ids[0]!;
    assert.equal(await moveAttachment(t.db, mine.id, foreign, "up"), null);
    assert.equal(await updateAttachmentDetails(t.db, mine.id, foreign, { altText: "Taken over", caption: null, credit: null }), false);
    assert.equal(await removeAttachment(t.db, mine.id, foreign), false);
    const untouched = await t.db.appealAttachment.findUniqueOrThrow({ where: { id: foreign } });
    assert.deepEqual([untouched.appealId, untouched.altText, untouched.position], [theirs.id, "Page 1", 0]);
    assert.deepEqual(await positions(mine.id), ["0:Page 1", "1:Page 2"]);

    // Through the page: 404, and made-up ids are 404 too, never a 500.
    for (const [intent, attachmentId] of [
      ["remove", foreign],
      ["moveUp", foreign],
      ["saveDetails", foreign],
      ["remove", "not-an-id"],
    ]) {
      const outcome = await postToAttachmentsPage(t, mine.id, new URLSearchParams({ intent: intent!, attachmentId: attachmentId!, altText: "Taken over" }));
      assert.equal(outcome.status, 404, `${intent} ${attachmentId}`);
    }
    assert.equal((await postToAttachmentsPage(t, "not-an-appeal", new URLSearchParams({ intent: "remove", attachmentId: foreign }))).status, 404);
    assert.equal(await t.db.appealAttachment.count({ where: { id: foreign } }), 1);
  });
});
