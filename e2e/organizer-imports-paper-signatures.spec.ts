import { confirmAndCount } from "~/domain/counts";
import { signAppeal, validateSignature } from "~/domain/signatures";
import { countOnVisit, expect, expectNoAccessibilityViolations, signInAs, test } from "./support/fixtures";


const sheet = [
  "Name;Role;City;Country;Date collected;Email;List publicly",
  "Greta Paper;Farmer;Uppsala;Sweden;1.3.2026;;yes",
  "Hidden Paperson;;Lyon;FR;2026-03-02;hidden@example.org;no",
  ";;Lyon;FR;2026-03-02;;yes",
  "Nowhere Person;;Atlantis;Atlantis;2026-03-02;;yes",
  "Online Already;;Berlin;DE;2026-03-02;online@example.org;yes",
].join("\r\n");

test.describe("An organizer imports signatures collected on paper", () => {
  test("uploads a sheet, reads the preview, imports it (the public count rises, only those who agreed are listed), then undoes it", async ({ page, browser, context, db, appeal }, testInfo) => {
    const validated = validateSignature({ fullName: "Online Already", email: "online@example.org", acceptPrivacy: "on", showPublicly: "on" });
    if (!validated.ok) throw new Error("invalid signer");
    const { signatureId } = await signAppeal(db, appeal.id, validated.input, { locale: "en", networkAddress: "192.0.2.1", userAgent: "test" });
    await confirmAndCount(db, signatureId);

    const visitor = await (await browser.newContext()).newPage();
    await expect.poll(() => countOnVisit(visitor, appeal.path)).toBe(1);

    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}`);
    await page.getByRole("link", { name: "Paper", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Paper signatures", level: 2 })).toBeVisible();

    // The template is offered for download.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the template (CSV)" }).click()]);
    expect(download.suggestedFilename()).toBe("paper-signatures-template.csv");

    // A file that is not a sheet: a clear error on the field, nothing changes.
    await page.getByLabel("CSV file").setInputFiles({ name: "notes.csv", mimeType: "text/csv", buffer: Buffer.from("hello,world\n1,2\n") });
    await page.getByRole("button", { name: "Check the sheet" }).click();
    await expect(page.getByRole("alert").getByRole("link")).toHaveText("The file has no column “name”: use the template’s header row");
    await expect(page.locator("#file-error")).toBeVisible();

    await page.getByLabel("CSV file").setInputFiles({ name: "market-stall.csv", mimeType: "text/csv", buffer: Buffer.from(`\uFEFF${sheet}`, "utf8") });
    await page.getByRole("button", { name: "Check the sheet" }).click();
    await expect(page.getByRole("heading", { name: "Check before importing: market-stall.csv" })).toBeVisible();
    await expect(page.getByTestId("paper-summary")).toHaveText("5 rows: 2 accepted, 3 rejected.");
    const rejected = page.getByTestId("paper-rejected");
    await expect(rejected.getByRole("row").filter({ hasText: /^4/ })).toContainText("No name");
    await expect(rejected.getByRole("row").filter({ hasText: "Nowhere Person" })).toContainText("Country not recognised");
    await expect(rejected.getByRole("row").filter({ hasText: "Online Already" })).toContainText("Already signed this appeal");
    await expect(page.getByTestId("paper-accepted").getByRole("row")).toHaveCount(3);
    expect(await countOnVisit(visitor, appeal.path)).toBe(1);

    await expectNoAccessibilityViolations(page);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: testInfo.outputPath(`paper-preview-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole("button", { name: "Import 2 signatures" }).click();
    await expect(page.getByRole("status")).toHaveText("2 paper signatures imported.");
    await expect(page.getByTestId("paper-history")).toContainText("market-stall.csv");
    await expectNoAccessibilityViolations(page);
    await page.screenshot({ path: testInfo.outputPath("paper-imported-1280.png"), fullPage: true });

    await expect.poll(() => countOnVisit(visitor, appeal.path)).toBe(3);
    await visitor.goto(`${appeal.path}/signers`);
    await expect(visitor.getByText("Greta Paper")).toBeVisible();
    await expect(visitor.getByText("Hidden Paperson")).toHaveCount(0);

    // On the Signatures tab she narrows the table to what came on paper, and sees which file each came in.
    await page.getByRole("link", { name: "Signatures", exact: true }).click();
    await page.getByLabel("Where signed").selectOption({ label: "On paper" });
    await page.getByRole("button", { name: "Show signatures" }).click();
    await expect(page).toHaveURL(/[?&]source=paper/);
    const rows = page.getByRole("table").getByRole("row").filter({ has: page.getByRole("cell") });
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "Greta Paper" })).toContainText("On paper, imported from market-stall.csv");
    await expect(rows.filter({ hasText: "Hidden Paperson" })).toContainText("On paper, imported from market-stall.csv");
    await expect(page.getByRole("table")).not.toContainText("Online Already");
    await expectNoAccessibilityViolations(page);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: testInfo.outputPath(`paper-in-signatures-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("link", { name: "Paper", exact: true }).click();

    await page.getByRole("button", { name: "Undo the import of market-stall.csv: remove its 2 signatures" }).click();
    await expect(page.getByRole("status")).toHaveText("Import undone: 2 signatures removed.");
    await expect(page.getByTestId("paper-history")).toContainText("Undone");
    await expect.poll(() => countOnVisit(visitor, appeal.path)).toBe(1);
  });
});
