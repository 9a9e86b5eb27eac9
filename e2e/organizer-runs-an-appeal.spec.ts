import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { PDFDocument } from "pdf-lib";
import sharp from "sharp";
import { confirmationLink, expect, fillAndSubmitSignForm, runOrganizerCommand, test } from "./support/fixtures";

/**
 * Olga publishes an open letter for her organisation and delivers the list of names: the
 * whole organizer's journey, through the real SMTP server and a real browser.
 */
const password = "harbour lights at dusk";

/** A phone photo of a page: a JPEG that says where it was taken. */
async function photoWithGpsPosition(): Promise<Buffer> {
  return sharp({ create: { width: 3000, height: 4000, channels: 3, background: { r: 245, g: 240, b: 228 } } })
    .withExif({
      IFD0: { Make: "PhoneMaker", Model: "Pocket 12", Artist: "Olga Organizer" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "50/1 17/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "57/1 10/1 0/1" },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function pdfWithAuthor(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setAuthor("Olga Organizer");
  document.setCreator("Secret Office Suite");
  document.addPage([595, 842]).drawText("Page 2 of the letter", { x: 72, y: 760, size: 18 });
  return Buffer.from(await document.save());
}

test.describe("Olga runs an appeal", () => {
  test.setTimeout(120_000);

  test("from the command line to a published appeal, signatures confirmed, and the list delivered as a CSV", async ({ page, browser, inbox, db }) => {
    const suffix = Date.now().toString(36);
    const email = `olga-${suffix}@example.org`;

    // 1. The first organizer comes from the command line, with a link to choose a password.
    const created = await runOrganizerCommand(["create", "--email", email, "--name", "Olga Organizer"]);
    expect(created.code, created.stderr).toBe(0);
    await page.goto(/http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(created.stdout)![0]);
    await page.getByLabel("New password").fill(password);
    await page.getByLabel("The same password again").fill(password);
    await page.getByRole("button", { name: "Save the password" }).click();
    await expect(page).toHaveURL(/\/organize$/);

    // 2. She signs out and in again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("status")).toHaveText("You have signed out.");
    await page.goto("/organize");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/organize$/);

    // 3. A new appeal, its text in Markdown.
    await page.getByRole("link", { name: "New appeal" }).click();
    const title = `Keep the night ferry running ${suffix}`;
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Published by").fill("Harbour Residents’ Association");
    await page.getByRole("button", { name: "Create the draft" }).click();
    await expect(page.getByRole("heading", { name: "Text in English" })).toBeVisible();
    const appealPath = new URL(page.url()).pathname.replace(/\/texts\/.*$/, "");
    await page.getByLabel("Summary").fill("Islanders ask the council to keep the last ferry of the night.");
    await page.getByLabel("Text", { exact: true }).fill(
      ["To the members of the Transport Committee,", "", "We ask you to **keep the 23:40 ferry**.", "", "## What it means", "", "- nurses get home", "- the pub stays open", "", "Sources: [timetable](https://ferry.example/timetable)"].join("\n"),
    );
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("The text is saved.");

    // 4. Three initial signatories, pasted as letters list them.
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Initial signatories" }).click();
    await page.getByLabel("Lines of “Name, role”").fill("Ingrid Solberg, GP\nTomasz Wierzbicki, teacher, Harbour Primary School\nAisha Rahmani, chair, Residents’ Association");
    await page.getByRole("button", { name: "Add these signatories" }).click();
    await expect(page.getByRole("status")).toHaveText("3 signatories added.");
    await expect(page.getByLabel("Name", { exact: true })).toHaveCount(3);

    // 5. The publisher block: three phone numbers, an email, a donate link.
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Details and publisher" }).click();
    const phones = [
      ["Office", "+44 20 7946 0101"],
      ["Press", "+44 20 7946 0102"],
      ["Evenings", "+44 20 7946 0103"],
    ];
    for (const [index, [label, number]] of phones.entries()) {
      if (index > 0) await page.getByRole("button", { name: "Add another phone number" }).click();
      const row = page.getByRole("group", { name: `Phone ${index + 1}` });
      await row.getByLabel("Label").fill(label!);
      await row.getByLabel("Number").fill(number!);
    }
    await page.getByLabel("Contact email").fill("letters@harbour.example");
    await page.getByLabel("“Support us” link").fill("https://harbour.example/donate");
    await page.getByLabel("Signature goal").fill("500");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status")).toHaveText("The details are saved.");

    // 6. A photographed page and a PDF.
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Attachments" }).click();
    const upload = page.getByRole("form", { name: "Add an attachment" });
    await upload.getByLabel("File").setInputFiles({ name: "IMG_2041.jpg", mimeType: "image/jpeg", buffer: await photoWithGpsPosition() });
    await upload.getByLabel("Description (alt text)").fill("Page 1 of the letter, signed by the three authors");
    await upload.getByLabel("Caption").fill("The letter as delivered on 3 March");
    await upload.getByLabel("Credit").fill("Photo: Olga Organizer");
    await upload.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByRole("status")).toContainText("was added at the end of the gallery");
    await upload.getByLabel("File").setInputFiles({ name: "letter-page-2.pdf", mimeType: "application/pdf", buffer: await pdfWithAuthor() });
    await upload.getByLabel("Description (alt text)").fill("Page 2 of the letter (PDF)");
    await upload.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByRole("status")).toHaveText("“letter-page-2.pdf” was added at the end of the gallery.");

    // 7. The draft in preview; visitors cannot see it yet.
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Preview" }).click();
    // The organizer area's own heading names the appeal too; the preview is the article.
    await expect(page.getByRole("article").getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.locator(".appeal-text strong")).toHaveText("keep the 23:40 ferry");
    // A draft is not closed: it takes signatures once published.
    await expect(page.getByText("no longer collects signatures")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Initial signatories" }).getByRole("listitem")).toHaveText([
      "Ingrid Solberg, GP",
      "Tomasz Wierzbicki, teacher, Harbour Primary School",
      "Aisha Rahmani, chair, Residents’ Association",
    ]);
    await expect(page.getByRole("img", { name: "Page 1 of the letter, signed by the three authors" })).toBeVisible();
    const { slug } = await db.appeal.findFirstOrThrow({ where: { translations: { some: { title } } }, select: { slug: true } });
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    expect((await visitorPage.goto(`/appeals/${slug}`))?.status()).toBe(404);

    // 8. Published.
    await page.goto(appealPath);
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByRole("status")).toHaveText("The appeal is published.");

    // 9. A visitor reads it: publisher up front, the photo without its GPS position.
    await visitorPage.goto(`/appeals/${slug}`);
    await expect(visitorPage.getByRole("heading", { level: 1 })).toHaveText(title);
    const publisher = visitorPage.getByRole("region", { name: "Published by" });
    for (const [label, number] of phones) {
      await expect(publisher.getByText(label!, { exact: true })).toBeVisible();
      await expect(publisher.getByRole("link", { name: number! })).toBeVisible();
    }
    await expect(publisher.getByRole("link", { name: "Support us" })).toHaveAttribute("href", "https://harbour.example/donate");
    const photo = visitorPage.getByRole("img", { name: "Page 1 of the letter, signed by the three authors" });
    const photoBytes = Buffer.from(await (await visitorPage.request.get((await photo.getAttribute("src"))!)).body());
    const photoFacts = await sharp(photoBytes).metadata();
    expect(photoFacts.exif).toBeUndefined();
    expect(photoBytes.includes(Buffer.from("GPS"))).toBe(false);
    expect(photoBytes.includes(Buffer.from("PhoneMaker"))).toBe(false);
    expect(photoFacts.width).toBeLessThanOrEqual(1400);
    const pdfLink = visitorPage.getByRole("link", { name: /Page 2 of the letter \(PDF\)/ });
    const pdfBytes = Buffer.from(await (await visitorPage.request.get((await pdfLink.getAttribute("href"))!)).body());
    expect(pdfBytes.includes(Buffer.from("Secret Office Suite"))).toBe(false);

    // 10. Supporters sign and confirm; one named like a spreadsheet formula, one whose name
    // holds a comma, a quote and a line break (sent by a script: a form field has no line break).
    const signers = [
      { fullName: "Mara Lindqvist", email: `mara-${suffix}@example.org`, city: "Harbourtown", showPublicly: true },
      { fullName: "=SUM(A1:A9)", email: `formula-${suffix}@example.org` },
    ];
    for (const signer of signers) {
      await visitorPage.goto(`/appeals/${slug}`);
      await fillAndSubmitSignForm(visitorPage, signer);
      await expect(visitorPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
    }
    const trickyName = 'O\'Brien, "Ciarán"\nof the harbour';
    const trickyEmail = `tricky-${suffix}@example.org`;
    // Two signatures from this address within a minute make automatic mode ask it for proof of
    // work, which a scripted post cannot give; this one is about what the CSV makes of the name.
    await db.appeal.update({ where: { slug }, data: { proofOfWork: "OFF" } });
    await visitorPage.goto(`/appeals/${slug}`);
    const formIssuedAt = await visitorPage.locator('input[name="formIssuedAt"]').inputValue();
    const scripted = await visitorPage.request.post(`/appeals/${slug}?index`, {
      form: { fullName: trickyName, email: trickyEmail, acceptPrivacy: "on", formIssuedAt },
      headers: { "Sec-Fetch-Site": "same-origin" },
      maxRedirects: 0,
    });
    expect(scripted.status()).toBe(303);
    for (const address of [...signers.map((signer) => signer.email), trickyEmail]) {
      const message = await inbox.waitForMessage(address, "Confirm your signature");
      await visitorPage.goto(confirmationLink(message));
      await visitorPage.getByRole("button", { name: "Confirm my signature" }).click();
      await expect(visitorPage.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    }
    await visitor.close();
    // The form refuses a name holding a web address, so this one is put straight into the
    // database, as a signature from before that rule (or an imported one) would be: whatever is
    // stored, the export must not hand a spreadsheet a formula.
    const appealId = (await db.appeal.findUniqueOrThrow({ where: { slug }, select: { id: true } })).id;
    await db.signature.create({
      data: { appealId, fullName: '=HYPERLINK("http://x","y")', email: `hyperlink-${suffix}@example.org`, emailCanonical: `hyperlink-${suffix}@example.org`, status: "CONFIRMED", confirmedAt: new Date() },
    });

    // 11. Olga downloads the list as a CSV and finds each row, safe to open in a spreadsheet.
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Export" }).click();
    const downloadStarted = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    const download = await downloadStarted;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${slug}-signatures-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const rows = parse(await readFile((await download.path())!, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    const mara = rows.find((row) => row.email === `mara-${suffix}@example.org`);
    expect(mara).toMatchObject({ name: "Mara Lindqvist", city: "Harbourtown", listed_publicly: "yes", wants_updates: "no" });
    expect(rows.find((row) => row.email === `formula-${suffix}@example.org`)?.name).toBe("'=SUM(A1:A9)");
    expect(rows.find((row) => row.email === `hyperlink-${suffix}@example.org`)?.name).toBe(`'=HYPERLINK("http://x","y")`);
    const tricky = rows.find((row) => row.email === trickyEmail);
    expect(tricky?.name).toBe(trickyName);

    // 12. The export is in the audit log, under her name.
    await expect.poll(async () => (await db.auditEvent.findMany({ where: { action: "export.csv", actorName: { contains: email } } })).length).toBe(1);
  });
});
