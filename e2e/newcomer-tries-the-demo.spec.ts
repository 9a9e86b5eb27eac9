import { createTestDatabase, type TestDatabase } from "../tests/support/database";
import { freePort, startApp, type RunningApp } from "./support/app";
import { expect, fillAndSubmitSignForm, test } from "./support/fixtures";

/**
 * What `npm start` gives a newcomer: with no SMTP_URL, the demo appeal on an empty database and
 * a dev mailbox in the app, through which the whole journey can be followed by hand.
 */
test.describe("A newcomer tries the demo through the dev mailbox", () => {
  let database: TestDatabase;
  let app: RunningApp;

  test.beforeAll(async () => {
    database = await createTestDatabase();
    app = await startApp({
      port: await freePort(),
      env: { NODE_ENV: "development", DATABASE_URL: database.url, SMTP_URL: "" },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  test("signs the demo appeal, finds the email in the dev mailbox, confirms, and is counted", async ({ page }) => {
    await page.goto(app.baseUrl);
    await page.getByRole("link", { name: "Open letter: keep Aldermere Library open six days a week" }).click();
    await expect(page.getByTestId("signature-count").locator(".count")).toHaveText("0 signatures");
    await fillAndSubmitSignForm(page, { fullName: "Newcomer Nadia", email: "nadia@example.org", showPublicly: true });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    await page.goto(`${app.baseUrl}/dev/mailbox`);
    const row = page.getByRole("row").filter({ hasText: "nadia@example.org" });
    await expect(async () => {
      await page.reload();
      await expect(row).toHaveCount(1, { timeout: 500 });
    }).toPass();
    await row.getByRole("link", { name: /Confirm your signature on/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Confirm your signature on");

    await page.getByRole("link", { name: new RegExp(`^${app.baseUrl}/confirm/`) }).click();
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();

    await page.getByRole("link", { name: "See the appeal" }).click();
    await expect(page.getByTestId("signature-count")).toContainText("1 signature");
    await expect(page.getByTestId("signer-list")).toContainText("Newcomer Nadia");
  });
});
