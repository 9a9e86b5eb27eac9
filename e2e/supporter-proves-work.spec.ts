import { createTestAppeal } from "../tests/support/appeals";
import { expect, fillAndSubmitSignForm, test } from "./support/fixtures";

/**
 * Proof of work on the sign form (ALTCHA, self-hosted). With JavaScript the browser does the
 * work when the form is sent, unnoticed; without it the form still works when the work is not
 * required, and says why when it is.
 */
test.describe("An appeal that always asks for proof of work", () => {
  test("with JavaScript, signing works: the browser solves the challenge on the way", async ({ page, db, inbox }) => {
    const appeal = await createTestAppeal(db, { proofOfWork: "ALWAYS" });
    await page.goto(`/appeals/${appeal.slug}`);
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await fillAndSubmitSignForm(page, { fullName: "Patient Person", email: "patient@example.org" });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible({ timeout: 30_000 });
    await inbox.waitForMessage("patient@example.org", "Confirm your signature");
    expect(await db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } })).toBe(1);
    expect(consoleErrors).toEqual([]);
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("the form says the check needs JavaScript, keeps what was typed, and stores nothing", async ({ page, db }) => {
      const appeal = await createTestAppeal(db, { proofOfWork: "ALWAYS" });
      await page.goto(`/appeals/${appeal.slug}`);
      await fillAndSubmitSignForm(page, { fullName: "No Script", email: "noscript@example.org" });
      await expect(page.getByRole("alert")).toContainText("which needs JavaScript");
      await expect(page.getByLabel("Full name")).toHaveValue("No Script");
      expect(await db.signature.count({ where: { appealId: appeal.id } })).toBe(0);
    });

    test("when the work is not required (automatic mode, a quiet network), the form works as ever", async ({ page, db }) => {
      const appeal = await createTestAppeal(db, { proofOfWork: "AUTOMATIC" });
      await page.goto(`/appeals/${appeal.slug}`);
      await fillAndSubmitSignForm(page, { fullName: "Quiet Network", email: "quiet@example.org" });
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
      expect(await db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } })).toBe(1);
    });
  });
});

test.describe("An appeal that asks for proof of work only of a busy network (automatic mode)", () => {
  test("a reader downloads no widget; someone signing gets it, and near the limit the work is done unnoticed", async ({ page, db, inbox }) => {
    const created = await createTestAppeal(db, { proofOfWork: "AUTOMATIC" });
    // Half of 2 is reached after one signature: the second one from this address needs the work.
    await db.appeal.update({ where: { id: created.id }, data: { signLimitPerMinute: 2 } });
    const widgetRequests: string[] = [];
    page.on("request", (request) => {
      if (/altcha[^/]*\.js/i.test(request.url())) widgetRequests.push(request.url());
    });

    await page.goto(`/appeals/${created.slug}`, { waitUntil: "networkidle" });
    expect(widgetRequests, "a reader who does not sign downloads none of the widget's script").toEqual([]);

    for (const [index, email] of ["first-near@example.org", "second-near@example.org"].entries()) {
      await page.goto(`/appeals/${created.slug}`);
      await fillAndSubmitSignForm(page, { fullName: `Near Limit ${index + 1}`, email });
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible({ timeout: 30_000 });
      await inbox.waitForMessage(email, "Confirm your signature");
    }
    expect(widgetRequests.some((url) => url.includes("/build/")), "the widget's script came once someone started signing").toBe(true);
    expect(await db.signature.count({ where: { appealId: created.id, status: "PENDING" } })).toBe(2);
  });
});
