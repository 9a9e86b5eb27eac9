import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import type { Database } from "~/infra/db.server";
import { parseCsv } from "../tests/support/csv";
import { expect, signInAs, test } from "./support/fixtures";

/** Five confirmed signatures (three listed publicly, one named like a formula) and one pending. */
async function addSigners(db: Database, appealId: string) {
  const signers = [
    { fullName: "Amara Listed", showPublicly: true, day: 1 },
    { fullName: '=HYPERLINK("http://evil.example","Click")', showPublicly: true, day: 2 },
    { fullName: "Bohdan Unlisted", showPublicly: false, day: 3 },
    { fullName: "Chen Listed", showPublicly: true, day: 4 },
    { fullName: "Dana Unlisted", showPublicly: false, day: 5 },
  ];
  await db.signature.createMany({
    data: [
      ...signers.map((signer, index) => ({
        appealId,
        fullName: signer.fullName,
        email: `signer${index}@example.org`,
        emailCanonical: `signer${index}@example.org`,
        showPublicly: signer.showPublicly,
        status: "CONFIRMED" as const,
        confirmedAt: new Date(Date.UTC(2026, 5, signer.day, 12)),
      })),
      { appealId, fullName: "Pending Person", email: "pending@example.org", emailCanonical: "pending@example.org", status: "PENDING" as const },
    ],
  });
}

async function downloadedText(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), "utf8") };
}

test.describe("An organizer exports the signatures", () => {
  test("she reads what the file holds, narrows it with a live count, and downloads a formula-safe CSV", async ({ page, context, db, appeal }) => {
    const editor = await signInAs(context, db, "EDITOR");
    await addSigners(db, appeal.id);
    await page.goto(`/organize/appeals/${appeal.id}`);
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Export" }).click();

    await expect(page.getByRole("heading", { name: "Export signatures" })).toBeVisible();
    await expect(page.getByRole("note")).toContainText("This file holds personal data");
    await expect(page.getByRole("row", { name: /email/ })).toContainText("never shown publicly");
    const count = page.getByRole("status");
    await expect(count).toHaveText("5 signatures match these choices.");

    await page.getByLabel("Only those listed publicly").check();
    await expect(count).toHaveText("3 signatures match these choices.");
    await page.getByLabel("From").fill("2026-06-02");
    await expect(count).toHaveText("2 signatures match these choices.");
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.screenshot({ path: test.info().outputPath("export-page.png"), fullPage: true });

    await page.getByLabel("Add a byte order mark, for Microsoft Excel").check();
    const csv = await downloadedText(page, "Download CSV");
    expect(csv.name).toBe(`${appeal.slug}-signatures-${new Date().toISOString().slice(0, 10)}.csv`);
    expect(csv.text.startsWith("\uFEFF")).toBe(true);
    const [header, ...rows] = parseCsv(csv.text.slice(1));
    expect(header).toEqual(["confirmed_at", "name", "role_or_organisation", "city", "country", "comment", "listed_publicly", "wants_updates", "source", "email"]);
    expect(rows.map((row) => row[1])).toEqual([`'=HYPERLINK("http://evil.example","Click")`, "Chen Listed"]);

    const [entry] = await db.auditEvent.findMany({ where: { appealId: appeal.id, action: "export.csv" } });
    expect(entry?.actorName).toBe(`${editor.name} <${editor.email}>`);
    expect(entry?.details).toMatchObject({ scope: "listed", from: "2026-06-02", to: null, bom: true, rows: 2, completed: true });
  });

  test("on a phone the choices and buttons fit the screen", async ({ page, context, db, appeal }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAs(context, db, "EDITOR");
    await addSigners(db, appeal.id);
    await page.goto(`/organize/appeals/${appeal.id}/export`);
    await expect(page.getByRole("status")).toHaveText("5 signatures match these choices.");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: test.info().outputPath("export-page-phone.png"), fullPage: true });
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the form updates the count, refuses a reversed range, and downloads JSON", async ({ page, context, db, appeal }) => {
    await signInAs(context, db, "OWNER");
    await addSigners(db, appeal.id);
    await page.goto(`/organize/appeals/${appeal.id}/export`);

    await page.getByLabel("From").fill("2026-06-04");
    await page.getByLabel("To").fill("2026-06-03");
    await page.getByRole("button", { name: "Update the count" }).click();
    const summary = page.getByRole("alert");
    await expect(summary).toContainText("There is a problem");
    await summary.getByRole("link", { name: "The “to” date must be the same as or later than the “from” date." }).click();
    await expect(page.getByRole("button", { name: "Download JSON" })).toBeDisabled();

    await page.getByLabel("To").fill("2026-06-30");
    await page.getByLabel("Only those listed publicly").check();
    await page.getByRole("button", { name: "Update the count" }).click();
    await expect(page.getByRole("status")).toHaveText("1 signature matches these choices.");

    const json = await downloadedText(page, "Download JSON");
    expect(json.name).toMatch(/\.json$/);
    expect(JSON.parse(json.text)).toEqual([expect.objectContaining({ name: "Chen Listed", listed_publicly: true })]);
  });
});
