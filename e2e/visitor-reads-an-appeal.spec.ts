import { addDemoAppeal, demoAppeal } from "~/domain/demo-appeal";
import { expect, test } from "./support/fixtures";
import { createTestAppeal } from "../tests/support/appeals";

test.describe("A visitor reads an appeal", () => {
  test("the demo appeal shows its text, authors, page scan, publisher and progress", async ({ page, db }) => {
    // The database the journeys use starts empty; the demo is what `npm start` shows on a fresh install.
    const slug = `demo-${Date.now()}`;
    await addDemoAppeal(db, slug);
    await page.goto(`/appeals/${slug}`);

    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Open letter: keep Aldermere Library open six days a week");
    await expect(page.locator(".appeal-byline")).toContainText("March 3, 2026");
    await expect(page.getByText("The library is the only place in Aldermere")).toBeVisible();

    const authors = page.getByRole("region", { name: "Initial signatories" }).getByRole("listitem");
    await expect(authors).toHaveCount(7);
    await expect(authors.first()).toHaveText("Marguerite Okonkwo-Hale, retired head librarian");

    const scan = page.getByRole("img", { name: /First page of the signed letter/ });
    await expect(scan).toBeVisible();
    // Visible as soon as it has a place on the page; loaded when its pixels have arrived.
    await expect.poll(() => scan.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBeGreaterThan(0);
    await expect(page.locator("figcaption")).toContainText("Page 1 of the letter as delivered to the town hall");
    await expect(page.locator("figcaption")).toContainText("Credit: Scan: Friends of Aldermere Library");

    const publisher = page.getByRole("region", { name: "Published by" });
    await expect(publisher).toContainText("Friends of Aldermere Library");
    await expect(publisher.getByRole("link", { name: "letters@friends-of-aldermere.example" })).toHaveAttribute(
      "href",
      "mailto:letters@friends-of-aldermere.example",
    );
    await expect(publisher.getByRole("link", { name: "+44 20 7946 0018" })).toBeVisible();
    await expect(publisher.getByRole("link", { name: "More information" })).toHaveAttribute("href", demoAppeal.publisher.moreInfoUrl!);
    await expect(publisher.getByRole("link", { name: "Support us" })).toHaveAttribute("href", demoAppeal.publisher.supportUrl!);

    const count = page.getByTestId("signature-count");
    await expect(count.locator(".count")).toHaveText("0 signatures");
    await expect(count).toContainText("Goal: 1,000");
    await expect(count).toContainText("Be the first to add your name.");
    await expect(page.getByRole("progressbar", { name: "Progress toward the goal" })).toHaveAttribute("value", "0");
    // Who publishes the appeal is said before its text.
    await expect(page.locator(".appeal-byline")).toContainText("Published by Friends of Aldermere Library");
  });

  test("the list of signers pages newest first and counts those who chose not to be listed", async ({ page, db, appeal }) => {
    const base = Date.now() - 3_600_000;
    await db.signature.createMany({
      data: Array.from({ length: 63 }, (_, index) => ({
        appealId: appeal.id,
        fullName: `Signer Number ${index}`,
        email: `signer${index}@example.org`,
        emailCanonical: `signer${index}@example.org`,
        status: "CONFIRMED" as const,
        confirmedAt: new Date(base + index * 1000),
        showPublicly: index % 7 !== 0,
      })),
    });
    // The count is kept by confirmations; these rows were written directly, so record them the same way.
    await db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: 63, listed: 54 } });

    await page.goto(appeal.path);
    await expect(page.getByTestId("signature-count")).toContainText("63 signatures");
    await expect(page.getByRole("progressbar")).toHaveAttribute("value", "63");
    const firstPage = page.getByTestId("signer-list").getByRole("listitem");
    await expect(firstPage).toHaveCount(10);
    await expect(firstPage.first()).toContainText("Signer Number 62");
    await expect(page.getByText("and 9 more people who chose not to be listed")).toBeVisible();

    await page.getByRole("link", { name: "See all signatures" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Signatures: /);
    await expect(page.getByText("63 signatures")).toBeVisible();
    const shownNames = page.getByTestId("signer-list").locator(".name");
    const names: string[] = [];
    for (;;) {
      const pageNames = await shownNames.allInnerTexts();
      names.push(...pageNames);
      const older = page.getByRole("link", { name: "Older signatures" });
      if ((await older.count()) === 0) break;
      await older.click();
      await expect(shownNames.first()).not.toHaveText(pageNames[0]!);
    }
    await expect(page.getByText("and 9 more people who chose not to be listed")).toBeVisible();
    const expected = Array.from({ length: 63 }, (_, i) => 62 - i)
      .filter((i) => i % 7 !== 0)
      .map((i) => `Signer Number ${i}`);
    expect(names).toEqual(expected);
    await expect(page.locator("body")).not.toContainText("@example.org");
  });

  test("an address that is not an appeal, and a broken confirmation link, get friendly pages", async ({ page }) => {
    const missing = await page.goto("/appeals/no-such-appeal");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

    const broken = await page.goto("/confirm/this-is-not-a-real-token");
    expect(broken?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();

    const tampered = await page.goto("/appeals/no-such-appeal/signers?after=garbage");
    expect(tampered?.status()).toBe(404);
  });

  test("the dev mailbox does not exist when real SMTP is configured", async ({ page }) => {
    const response = await page.goto("/dev/mailbox");
    expect(response?.status()).toBe(404);
  });

  test("a form posted from another site is refused", async ({ request, appeal, db }) => {
    const response = await request.post(`${appeal.path}?index`, {
      headers: { Origin: "https://evil.example" },
      form: { fullName: "Mallory", email: "mallory@example.org", acceptPrivacy: "on" },
    });
    expect(response.status()).toBe(403);
    const fromBrowser = await request.post(`${appeal.path}?index`, {
      headers: { "Sec-Fetch-Site": "cross-site" },
      form: { fullName: "Mallory", email: "mallory@example.org", acceptPrivacy: "on" },
    });
    expect(fromBrowser.status()).toBe(403);
    expect(await db.signature.count({ where: { appealId: appeal.id } })).toBe(0);
  });

  test("requests no form would send get a 4xx and a clear page, never a 500", async ({ request, appeal, db }) => {
    const asJson = await request.post(`${appeal.path}?index`, { data: { fullName: "Robot" } });
    expect(asJson.status()).toBe(400);
    expect(await asJson.text()).toContain("That request could not be understood");

    const withNul = await request.post(`${appeal.path}?index`, {
      form: { fullName: "Null\u0000Byte", email: "nul@example.org", acceptPrivacy: "on" },
      maxRedirects: 0,
    });
    expect(withNul.status()).toBe(303);
    const stored = await db.signature.findFirstOrThrow({ where: { appealId: appeal.id } });
    expect(stored.fullName).toBe("NullByte");

    const unknownAppeal = await request.post("/appeals/no-such-appeal?index", { form: { fullName: "X" } });
    expect(unknownAppeal.status()).toBe(404);
  });

  test("an appeal in several languages can be read in each of them", async ({ page, db }) => {
    const appeal = await createTestAppeal(db, {
      translations: [
        { locale: "en", title: "Save the river meadows", body: "The meadows flood every spring.\n\nKeep them wild." },
        { locale: "de", title: "Rettet die Flussauen", body: "Die Auen werden jeden Frühling überflutet.\n\nLasst sie wild." },
      ],
    });
    await page.goto(`/appeals/${appeal.slug}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Save the river meadows");

    await page.getByRole("navigation", { name: "Languages of this appeal" }).getByRole("link", { name: "Deutsch" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rettet die Flussauen");
    await expect(page.getByRole("heading", { level: 1 })).toHaveAttribute("lang", "de");
    await expect(page.getByText("Lasst sie wild.")).toBeVisible();
    await expect(page).toHaveURL(/\?lang=de$/);
    await expect(page.getByRole("navigation", { name: "Languages of this appeal" }).getByRole("link", { name: "English" })).toBeVisible();
  });

  test("a closed appeal can still be read but takes no more signatures", async ({ page, request, db }) => {
    const closesAt = new Date(Date.now() - 60_000);
    const appeal = await createTestAppeal(db, { closesAt });
    await page.goto(`/appeals/${appeal.slug}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(appeal.title);
    // Its deadline passed: the page says when it closed.
    const closingDay = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }).format(closesAt);
    await expect(page.getByText(`This appeal closed on ${closingDay} and no longer collects signatures.`)).toBeVisible();
    await expect(page.getByRole("form", { name: "Add your name" })).toHaveCount(0);
    // Said once, under the title: no card in the column beside it repeats it.
    await expect(page.getByText("This appeal no longer collects signatures.")).toHaveCount(0);

    const late = await request.post(`/appeals/${appeal.slug}?index`, {
      form: { fullName: "Late Larry", email: "late@example.org", acceptPrivacy: "on" },
    });
    expect(late.status()).toBe(409);
    expect(await db.signature.count({ where: { appealId: appeal.id } })).toBe(0);
  });
});
