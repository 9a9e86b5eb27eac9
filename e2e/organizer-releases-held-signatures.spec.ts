import { expect, fillAndSubmitSignForm, signInAs, test } from "./support/fixtures";

/** Held signatures are not lost: an organizer sees them, releases the real ones, discards the rest. */
test.describe("An organizer deals with held signatures", () => {
  test("a signature held by the appeal's limit is released and its confirmation email arrives; another is discarded", async ({ page, browser, context, db, appeal, inbox }) => {
    // This appeal allows one signature per minute per network address; the journeys share one address.
    await db.appeal.update({ where: { id: appeal.id }, data: { signLimitPerMinute: 1, proofOfWork: "OFF" } });
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    for (const [name, email] of [
      ["First Through", "first-through@example.org"],
      ["Held Person", "held-person@example.org"],
      ["Held Bot", "held-bot@example.org"],
    ] as const) {
      await visitorPage.goto(appeal.path);
      await fillAndSubmitSignForm(visitorPage, { fullName: name, email });
      await expect(visitorPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
    }
    await visitor.close();
    await inbox.waitForMessage("first-through@example.org", "Confirm your signature");

    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}/protection`);
    const held = page.getByRole("table");
    await expect(held.getByRole("row")).toHaveCount(3);
    await expect(held).toContainText("Many from one network within a minute");
    await page.getByRole("button", { name: "Release selected" }).click();
    await expect(page.getByRole("alert")).toHaveText("Select at least one signature first.");

    await page.getByRole("checkbox", { name: "Select Held Person" }).check();
    await page.getByRole("button", { name: "Release selected" }).click();
    await expect(page.getByRole("status")).toHaveText("1 signature released: its confirmation email is on its way.");
    await inbox.waitForMessage("held-person@example.org", "Confirm your signature");

    await page.getByRole("checkbox", { name: "Select Held Bot" }).check();
    await page.getByRole("button", { name: "Discard selected" }).click();
    await expect(page.getByRole("status")).toHaveText("1 signature discarded.");
    await expect(page.getByText("No signatures are held.")).toBeVisible();
    expect(await db.signature.count({ where: { appealId: appeal.id, email: "held-bot@example.org" } })).toBe(0);
    expect(await inbox.messagesTo("held-bot@example.org")).toEqual([]);

    await page.getByLabel("Proof of work").selectOption("ALWAYS");
    await page.getByLabel("Signatures per network address per minute").fill("lots");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert")).toContainText("Enter a whole number up to 100,000");
    await page.getByLabel("Signatures per network address per minute").fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("The settings are saved.");
    expect(await db.appeal.findUniqueOrThrow({ where: { id: appeal.id }, select: { proofOfWork: true, signLimitPerMinute: true } })).toEqual({ proofOfWork: "ALWAYS", signLimitPerMinute: null });
  });
});
