import type { Page } from "@playwright/test";
import { confirmAndCount } from "~/domain/counts";
import { signAppeal, validateSignature } from "~/domain/signatures";
import type { Database } from "~/infra/db.server";
import { confirmationLink, countOnVisit, expect, expectNoAccessibilityViolations, fillAndSubmitSignForm, signInAs, test } from "./support/fixtures";


/** The count and whether the troll is on the public list, as a visitor reads them. */
async function publicView(page: Page, path: string): Promise<{ count: number; listsTroll: boolean }> {
  const count = await countOnVisit(page, path);
  return { count, listsTroll: (await page.getByText("Troll McTrollface").count()) > 0 };
}

/** Signatures made directly (the sign form allows a journey only a few from one address). */
async function signed(db: Database, appealId: string, fullName: string, email: string, options: { confirm: boolean; networkAddress: string }) {
  const validated = validateSignature({ fullName, email, acceptPrivacy: "on", showPublicly: "on" });
  if (!validated.ok) throw new Error(`invalid signer ${email}`);
  const { signatureId } = await signAppeal(db, appealId, validated.input, { locale: "en", networkAddress: options.networkAddress, userAgent: "Mozilla/5.0 (SpamBot)" });
  if (options.confirm) await confirmAndCount(db, signatureId);
  return signatureId;
}

/** The appeal's audit entries, oldest first, as [action, how many signatures]. */
async function auditedActions(db: Database, appealId: string): Promise<[string, number | undefined][]> {
  const audit = await db.auditEvent.findMany({ where: { appealId }, orderBy: { id: "asc" }, select: { action: true, details: true } });
  return audit.map((event) => [event.action, (event.details as { count?: number }).count]);
}

test.describe("An organizer moderates the signatures of an appeal", () => {
  test("sees where a signature came from, hides a name (the count stays), invalidates it (the count drops) and restores it", async ({ page, browser, context, db, appeal, inbox }) => {
    await db.appeal.update({ where: { id: appeal.id }, data: { proofOfWork: "OFF" } });
    // One real signer through the form: the table shows where it came from.
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    await visitorPage.goto(appeal.path);
    await fillAndSubmitSignForm(visitorPage, { fullName: "Ana Real", email: "ana-real@example.org", showPublicly: true });
    await visitorPage.goto(confirmationLink(await inbox.waitForMessage("ana-real@example.org", "Confirm your signature")));
    await visitorPage.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(visitorPage.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    await signed(db, appeal.id, "Troll McTrollface", "troll@example.net", { confirm: true, networkAddress: "198.51.100.4" });
    await expect.poll(() => publicView(visitorPage, appeal.path)).toEqual({ count: 2, listsTroll: true });

    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}`);
    await page.getByRole("link", { name: "Signatures", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Signatures", level: 2 })).toBeVisible();
    const table = page.getByRole("table");
    await expect(table.getByRole("row")).toHaveCount(3);
    // Where the real signer came from, and with which browser: shown here only.
    const anaRow = table.getByRole("row").filter({ hasText: "ana-real@example.org" });
    await expect(anaRow.locator("code")).toHaveText(/127\.0\.0\.1|::1/);
    await expect(anaRow).toContainText("Chrome");
    await expectNoAccessibilityViolations(page);

    // Hide: off the public list, still counted.
    await page.getByRole("button", { name: "Hide Troll McTrollface from the public list" }).click();
    await expect(page.getByRole("status")).toHaveText("The signature is hidden from the public list. It still counts.");
    await expect.poll(() => publicView(visitorPage, appeal.path)).toEqual({ count: 2, listsTroll: false });

    // Invalidate: the count drops by one. Restore: it comes back.
    await page.getByRole("button", { name: "Invalidate the signature of Troll McTrollface" }).click();
    await expect(page.getByRole("status")).toHaveText("The signature is invalidated: it no longer counts.");
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(1);
    await page.getByRole("button", { name: "Restore the signature of Troll McTrollface" }).click();
    await expect(page.getByRole("status")).toHaveText("The signature is restored.");
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(2);

    expect(await auditedActions(db, appeal.id)).toEqual([
      ["signature.hidden", 1],
      ["signature.invalidated", 1],
      ["signature.restored", 1],
    ]);
    // The network address appears nowhere public.
    await visitorPage.goto(`${appeal.path}/signers`);
    await expect(visitorPage.locator("main")).toContainText("Ana Real");
    await expect(visitorPage.locator("main")).not.toContainText("127.0.0.1");
    await visitor.close();
  });

  test("bulk-invalidates an email domain after seeing how many match, then undoes it", async ({ page, browser, context, db, appeal }) => {
    await signed(db, appeal.id, "Someone Real", "someone@example.org", { confirm: true, networkAddress: "198.51.100.4" });
    for (const index of [1, 2, 3]) await signed(db, appeal.id, `Spam Bot ${index}`, `bot${index}@spam.example`, { confirm: true, networkAddress: `192.0.2.${index}` });
    await signed(db, appeal.id, "Spam Bot Pending", "pending@spam.example", { confirm: false, networkAddress: "192.0.2.9" });
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(4);

    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}/signatures`);
    const table = page.getByRole("table");
    await expect(table.getByRole("row")).toHaveCount(6);
    // The number that match first, nothing changed yet; then one action; then undo.
    await page.getByLabel("Email domain").last().fill("spam.example");
    await page.getByRole("button", { name: "Count matching signatures" }).click();
    await expect(page.getByTestId("bulk-matches")).toHaveText("4 signatures match: 3 confirmed (the count drops by 3) and 1 not yet confirmed.");
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(4);
    await page.getByRole("button", { name: "Invalidate 4 signatures" }).click();
    await expect(page.getByRole("status")).toHaveText("4 signatures invalidated. You can undo this below.");
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(1);
    await page.getByLabel("State").selectOption("invalidated");
    await page.getByRole("button", { name: "Show signatures" }).click();
    await expect(table.getByRole("row")).toHaveCount(5);
    await expectNoAccessibilityViolations(page);
    await page.getByRole("button", { name: /^Undo the bulk invalidation of / }).click();
    await expect(page.getByRole("status")).toHaveText("Undone: 4 signatures restored.");
    await expect(page.getByText("No signatures match.")).toBeVisible();
    await expect.poll(() => countOnVisit(visitorPage, appeal.path)).toBe(4);

    expect(await auditedActions(db, appeal.id)).toEqual([
      ["signatures.invalidated", 4],
      ["signatures.invalidation-undone", 4],
    ]);
    // Network addresses appear nowhere public.
    await visitorPage.goto(`${appeal.path}/signers`);
    await expect(visitorPage.locator("main")).toContainText("Spam Bot 1");
    await expect(visitorPage.locator("main")).not.toContainText("192.0.2.");
    await visitor.close();
  });

  test("works without JavaScript: filters are a GET form, each row's buttons post", async ({ browser, db, appeal }) => {
    await signed(db, appeal.id, "Quiet Troll", "quiet-troll@example.net", { confirm: true, networkAddress: "203.0.113.50" });
    await signed(db, appeal.id, "Someone Else", "someone@example.org", { confirm: true, networkAddress: "198.51.100.77" });
    const context = await browser.newContext({ javaScriptEnabled: false });
    await signInAs(context, db, "EDITOR");
    const page = await context.newPage();
    await page.goto(`/organize/appeals/${appeal.id}/signatures`);
    await page.getByLabel("Network address or range").first().fill("203.0.113.0/24");
    await page.getByRole("button", { name: "Show signatures" }).click();
    await expect(page).toHaveURL(/network=203\.0\.113\.0%2F24/);
    await expect(page.getByRole("table").getByRole("row")).toHaveCount(2);
    await page.getByRole("button", { name: "Hide Quiet Troll from the public list" }).click();
    await expect(page.getByRole("status")).toHaveText("The signature is hidden from the public list. It still counts.");
    await expect(page).toHaveURL(/network=203\.0\.113\.0%2F24/);
    await expect(page.getByRole("table")).toContainText("Hidden");

    await page.getByLabel("Network address or range").first().fill("not an address");
    await page.getByRole("button", { name: "Show signatures" }).click();
    await expect(page.getByRole("alert")).toContainText("Enter an address such as 203.0.113.7");
    await context.close();
  });
});
