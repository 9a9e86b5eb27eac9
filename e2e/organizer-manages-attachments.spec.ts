import type { Locator, Page } from "@playwright/test";
import { PDFDocument } from "pdf-lib";
import { authorFoundIn, pdfContentsForSearch, pdfWithAuthor, phonePhoto, photoMetadataFoundIn } from "../tests/support/attachments";
import { expect, expectNoAccessibilityViolations, signInAs, test } from "./support/fixtures";

const photoDescription = "First page of the letter, signed by 40 teachers";
const pdfDescription = "Minutes of the school board meeting (1 page)";

type Upload = { name: string; mimeType: string; buffer: Buffer };

/** Fills the upload form by its labels, as an organizer would, and presses "Upload". */
async function upload(page: Page, file: Upload | null, texts: { description?: string; caption?: string; credit?: string }) {
  const form = page.getByRole("form", { name: "Add an attachment" });
  if (file) await form.getByLabel("File").setInputFiles(file);
  if (texts.description !== undefined) await form.getByLabel("Description (alt text)").fill(texts.description);
  if (texts.caption !== undefined) await form.getByLabel("Caption").fill(texts.caption);
  if (texts.credit !== undefined) await form.getByLabel("Credit").fill(texts.credit);
  await form.getByRole("button", { name: "Upload" }).click();
}

/** The attachments as the organizer sees them listed, by their headings ("1. name"). */
function listedHeadings(page: Page): Locator {
  return page.getByRole("region", { name: "In the gallery" }).getByRole("heading", { level: 3 });
}

function listed(page: Page, fileName: string): Locator {
  return page.getByRole("listitem", { name: new RegExp(`\\d+\\. ${fileName.replace(".", "\\.")}$`) });
}

test.describe("An organizer manages an appeal's attachments", () => {
  test("she uploads a phone photo and a PDF, edits a caption and reorders them; a visitor sees that order and no hidden details", async ({
    page,
    context,
    browser,
    db,
    appeal,
  }) => {
    await signInAs(context, db, "EDITOR");
    const attachmentsPage = `/organize/appeals/${appeal.id}/attachments`;
    await page.goto(attachmentsPage);
    await expect(page.getByRole("link", { name: "Attachments" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByText("No attachments yet.")).toBeVisible();
    // Pressing Upload too soon: the summary takes the focus and links to the fields.
    await upload(page, null, {});
    await expect(page.getByRole("alert")).toBeFocused();
    await page.getByRole("alert").getByRole("link", { name: "Enter a description" }).click();
    await expect(page.getByRole("form", { name: "Add an attachment" }).getByLabel("Description (alt text)")).toBeFocused();
    await expectNoAccessibilityViolations(page);

    const photo = await phonePhoto({ noise: true });
    expect(photo.byteLength).toBeGreaterThan(5_000_000);
    expect(photoMetadataFoundIn(photo)).toContain("the GPS latitude (little-endian)");
    await upload(page, { name: "IMG_2041.JPG", mimeType: "image/jpeg", buffer: photo }, { description: photoDescription, caption: "Page 1", credit: "Photo: R. Ahmed" });
    await expect(page.getByRole("status")).toHaveText("“IMG_2041.jpg” was added at the end of the gallery.");
    // The form is empty again for the next one.
    await expect(page.getByRole("form", { name: "Add an attachment" }).getByLabel("Description (alt text)")).toHaveValue("");

    const pdf = await pdfWithAuthor();
    await upload(page, { name: "board-minutes.pdf", mimeType: "application/pdf", buffer: pdf }, { description: pdfDescription });
    await expect(page.getByRole("status")).toHaveText("“board-minutes.pdf” was added at the end of the gallery.");
    await expect(listedHeadings(page)).toHaveText(["1. IMG_2041.jpg", "2. board-minutes.pdf"]);
    await expect(listed(page, "IMG_2041.jpg")).toContainText("Image,");
    await expect(listed(page, "board-minutes.pdf")).toContainText("PDF document,");

    const photoItem = listed(page, "IMG_2041.jpg");
    await expect(photoItem.getByLabel("Description (alt text)")).toHaveValue(photoDescription);
    await photoItem.getByLabel("Caption").fill("Page 1 of the letter as delivered on 3 March");
    await photoItem.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status")).toHaveText("Your changes to “IMG_2041.jpg” were saved.");
    await expect(photoItem.getByLabel("Caption")).toHaveValue("Page 1 of the letter as delivered on 3 March");

    await listed(page, "board-minutes.pdf").getByRole("button", { name: "Move up" }).click();
    await expect(page.getByRole("status")).toHaveText("“board-minutes.pdf” is now number 1 in the gallery.");
    await expect(listedHeadings(page)).toHaveText(["1. board-minutes.pdf", "2. IMG_2041.jpg"]);
    // The moved item keeps the keyboard focus, on the button that is left.
    await expect(listed(page, "board-minutes.pdf").getByRole("button", { name: "Move down" })).toBeFocused();
    await expectNoAccessibilityViolations(page);

    // A visitor: another browser, not signed in.
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    await visitorPage.goto(appeal.path);
    const gallery = visitorPage.getByRole("region", { name: "Documents" });
    const figures = gallery.locator("figure");
    await expect(figures).toHaveCount(2);
    await expect(figures.nth(0).getByRole("link")).toContainText(pdfDescription);
    await expect(figures.nth(1).getByRole("img", { name: photoDescription })).toBeVisible();
    await expect(figures.nth(1)).toContainText("Page 1 of the letter as delivered on 3 March");
    await expect(figures.nth(1)).toContainText("Credit: Photo: R. Ahmed");

    // What the visitor's browser downloads: the page image, the full-size image and the PDF.
    const image = figures.nth(1).getByRole("img");
    await image.scrollIntoViewIfNeeded(); // it loads lazily
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1400);
    const shown = await visitorPage.request.get((await image.getAttribute("src"))!);
    expect(shown.headers()["content-type"]).toBe("image/webp");
    const full = await visitorPage.request.get((await figures.nth(1).getByRole("link").getAttribute("href"))!);
    expect(full.headers()["content-type"]).toBe("image/jpeg");
    for (const response of [shown, full]) {
      const bytes = await response.body();
      expect(photoMetadataFoundIn(bytes)).toEqual([]);
      expect(bytes.byteLength).toBeLessThan(photo.byteLength / 2);
      expect(response.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    const document = await visitorPage.request.get((await figures.nth(0).getByRole("link").getAttribute("href"))!);
    expect(document.headers()["content-type"]).toBe("application/pdf");
    const documentBytes = await document.body();
    expect((await PDFDocument.load(documentBytes, { updateMetadata: false })).getAuthor()).toBeUndefined();
    expect(authorFoundIn((await pdfContentsForSearch(documentBytes)).toString("latin1"))).toBe(false);
    await visitor.close();
  });

  test("without JavaScript the form says what is wrong and keeps what was typed; removing asks first", async ({ browser, db, appeal }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await signInAs(context, db, "OWNER");
    const page = await context.newPage();
    await page.goto(`/organize/appeals/${appeal.id}/attachments`);

    await upload(page, null, { description: "", caption: "Delivered on 3 March", credit: "Scan: Friends of the School" });
    const summary = page.getByRole("alert");
    await expect(summary.getByRole("heading")).toHaveText("There is a problem");
    await expect(summary.getByRole("link")).toHaveText(["Choose a file to upload.", "Enter a description: what the image shows, or what the document is."]);

    await upload(page, { name: "letter.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<!doctype html><title>Not a photo</title><p>Hello") }, {});
    await expect(summary.getByRole("link")).toHaveText([
      "The file must be a JPEG, PNG or WebP image, or a PDF.",
      "Enter a description: what the image shows, or what the document is.",
    ]);
    const form = page.getByRole("form", { name: "Add an attachment" });
    await expect(form.getByLabel("File")).toHaveAccessibleDescription(/up to 10 MB\. The file must be a JPEG, PNG or WebP image, or a PDF\./);
    await expect(form.getByLabel("Caption")).toHaveValue("Delivered on 3 March");
    await expect(form.getByLabel("Credit")).toHaveValue("Scan: Friends of the School");

    // The description is fine now, but the browser has forgotten the file: the page says so.
    await upload(page, { name: "scan.jpeg", mimeType: "image/jpeg", buffer: await phonePhoto({ width: 40, height: 30 }) }, { description: "x".repeat(301) });
    await expect(summary.getByRole("link")).toHaveText(["The description can be at most 300 characters."]);
    await expect(form.getByLabel("File")).toHaveAccessibleDescription(/If the file field is empty, choose “scan\.jpeg” again/);

    await upload(page, { name: "scan.jpeg", mimeType: "image/jpeg", buffer: await phonePhoto({ width: 40, height: 30 }) }, { description: "A small scan" });
    await expect(page.getByRole("status")).toHaveText("“scan.jpg” was added at the end of the gallery.");

    await listed(page, "scan.jpg").getByRole("link", { name: "Remove" }).click();
    await expect(page.getByRole("heading", { name: "Remove “scan.jpg”?" })).toBeVisible();
    await page.getByRole("link", { name: "No, keep it" }).click();
    await expect(listedHeadings(page)).toHaveText(["1. scan.jpg"]);
    await listed(page, "scan.jpg").getByRole("link", { name: "Remove" }).click();
    await page.getByRole("button", { name: "Yes, remove it" }).click();
    await expect(page.getByRole("status")).toHaveText("The attachment was removed.");
    await expect(page.getByText("No attachments yet.")).toBeVisible();
    await context.close();
  });

  test("signed out, the page asks to sign in and a form post is refused", async ({ page, appeal }) => {
    const attachmentsPage = `/organize/appeals/${appeal.id}/attachments`;
    const response = await page.request.get(attachmentsPage, { maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(response.headers()["location"]).toBe(`/sign-in?next=${encodeURIComponent(attachmentsPage)}`);
    const post = await page.request.post(attachmentsPage, { form: { intent: "remove", attachmentId: appeal.id }, maxRedirects: 0 });
    expect(post.status()).toBe(401);
  });
});
