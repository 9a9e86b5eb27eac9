import { confirmationLink, countOnVisit, expect, expectNoAccessibilityViolations, fillAndSubmitSignForm, test } from "./support/fixtures";


/** A withdraw link in an email, as a person would click it. */
function withdrawLink(text: string): string {
  const link = /https?:\/\/\S+\/withdraw\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
  if (!link) throw new Error("no withdraw link in the email");
  return link;
}

test.describe("Aigerim withdraws her signature", () => {
  test("she signs and confirms, then withdraws: she stops counting, leaves the list, and her data is erased", async ({ page, appeal, inbox, db, context }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, {
      fullName: "Aigerim Nurlanovna",
      email: "aigerim@example.org",
      role: "journalist",
      country: "Kazakhstan",
      city: "Almaty",
      comment: "Қолдаймын. I support this.",
      showPublicly: true,
    });
    const email = await inbox.waitForMessage("aigerim@example.org", "Confirm your signature");
    const linkFromEmail = withdrawLink(email.text);
    await page.goto(confirmationLink(email));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    const pageLink = page.getByRole("link", { name: "Withdraw your signature" });
    await expect(pageLink).toBeVisible();
    const linkFromPage = new URL((await pageLink.getAttribute("href"))!, page.url()).href;
    expect(linkFromPage).not.toBe(linkFromEmail);
    // The page is the appeal's shared one; the link came in the address's fragment, which is gone
    // from the address bar now, so reloading does not offer it again.
    await expect(page).toHaveURL((url) => url.pathname === `/appeals/${appeal.slug}/confirmed` && url.hash === "");
    await page.reload();
    await expect(page.getByText("To withdraw your signature, use the link in any of our emails about it.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Withdraw your signature" })).toHaveCount(0);

    await expect.poll(() => countOnVisit(page, appeal.path)).toBe(1);
    await expect(page.getByTestId("signer-list")).toContainText("Aigerim Nurlanovna, journalist");

    const signature = await db.signature.findFirstOrThrow({ where: { appealId: appeal.id } });
    // What the sign route records about the request, in case this build does not yet: the
    // journey checks that it goes too.
    await db.signature.updateMany({ where: { id: signature.id, networkAddress: null }, data: { networkAddress: "203.0.113.9", userAgent: "Journey" } });
    const beforeOpening = await db.signature.findUniqueOrThrow({ where: { id: signature.id } });

    // A mail scanner fetches the link, and she opens it: nothing changes.
    expect((await page.request.get(linkFromEmail)).status()).toBe(200);
    await page.goto(linkFromEmail);
    await expect(page.getByRole("heading", { name: "Withdraw your signature" })).toBeVisible();
    await expect(page.getByText(`This withdraws the signature of Aigerim Nurlanovna on “${appeal.title}”.`)).toBeVisible();
    await expect(page.getByText("Your signature stops counting and leaves the public list, and your name, email address and everything else you gave are erased. This cannot be undone.")).toBeVisible();
    await expectNoAccessibilityViolations(page);
    expect(await db.signature.findUniqueOrThrow({ where: { id: signature.id } })).toEqual(beforeOpening);
    const secondTab = await context.newPage();
    await secondTab.goto(linkFromEmail);
    await expect.poll(() => countOnVisit(secondTab, appeal.path)).toBe(1);

    // She presses the button.
    await secondTab.goto(linkFromEmail);
    await page.getByRole("button", { name: "Withdraw my signature" }).click();
    await expect(page.getByRole("heading", { name: "Your signature is withdrawn" })).toBeVisible();
    await expectNoAccessibilityViolations(page);

    // Pressing again, in the tab she left open, shows the same page and changes nothing.
    await secondTab.getByRole("button", { name: "Withdraw my signature" }).click();
    await expect(secondTab.getByRole("heading", { name: "Your signature is withdrawn" })).toBeVisible();
    expect(await secondTab.locator("main").innerText()).toBe(await page.locator("main").innerText());

    await expect.poll(() => countOnVisit(page, appeal.path)).toBe(0);
    await expect(page.getByText("Aigerim Nurlanovna")).toHaveCount(0);

    const after = await db.signature.findUniqueOrThrow({ where: { id: signature.id } });
    expect(after).toMatchObject({
      id: signature.id,
      appealId: appeal.id,
      status: "WITHDRAWN",
      createdAt: signature.createdAt,
      confirmedAt: signature.confirmedAt,
      fullName: "",
      email: "",
      role: null,
      city: null,
      comment: null,
      networkAddress: null,
      userAgent: null,
      showPublicly: false,
    });
    expect(after.withdrawnAt).not.toBeNull();
    expect(JSON.stringify(after)).not.toMatch(/aigerim|Almaty|journalist|203\.0\.113\.9/i);

    // Signing, confirming and withdrawing gave her no cookie.
    expect(await context.cookies()).toEqual([]);
  });

  test("the privacy notice says what is kept, for how long, and how to withdraw", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("contentinfo").getByRole("link", { name: "Privacy" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Privacy notice" })).toBeVisible();
    const notice = page.locator("main");
    await expect(notice).toContainText(/Version \d{4}-\d{2}-\d{2}, in force since/);
    await expect(notice).toContainText("Every email we send you about your signature has a link to withdraw it, and so has the page that confirms it.");
    await expect(notice).toContainText("it stops counting, leaves the public list, and your name, email address and everything else you gave are erased at once");
    await expect(notice).toContainText("Your network address and browser identification: 30 days after you sign, then they are erased.");
    await expect(notice).toContainText("Everything else: until 6 months after the appeal closes");
    await expect(notice).toContainText("a listed name stays on the appeal’s public list");
    await expect(notice).toContainText("Visitors and signers get no cookies.");
    await expect(notice).toContainText("It uses no analytics, advertising or tracking of any kind.");
    // This journey's app names no operator: outside production the notice says what to set.
    await expect(notice).toContainText("This site is run by (set OPERATOR_NAME)");
    await expectNoAccessibilityViolations(page);

    await page.getByRole("contentinfo").getByRole("link", { name: "Imprint" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Imprint" })).toBeVisible();
    await expect(page.locator("main")).toContainText("(set OPERATOR_ADDRESS)");
    await expectNoAccessibilityViolations(page);
  });
});
