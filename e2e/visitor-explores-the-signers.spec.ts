import { expect, expectNoAccessibilityViolations, test } from "./support/fixtures";

/**
 * A visitor looks for a name among an appeal's signers and sees where signers come from
 * (docs/decisions/019-open-data-api.md): the search is a GET form that works without JavaScript,
 * the breakdown a chart drawn on the server with its table.
 */
test.describe("A visitor explores the signers of an appeal", () => {
  test("finds a listed signer without JavaScript, never an unlisted one, and sees signers by country", async ({ page, browser, db, appeal }, testInfo) => {
    // Six each from Kazakhstan and Germany, one each from nine countries too small to name, one not given.
    const countries = [...Array<string>(6).fill("KZ"), ...Array<string>(6).fill("DE"), "BA", "UA", "PL", "FR", "GB", "US", "NO", "SE", "FI", null];
    await db.signature.createMany({
      data: countries.map((country, index) => ({
        appealId: appeal.id,
        fullName: index === 0 ? "Aigerim Nurlanqyzy" : index === 1 ? "Aigerim Secret" : `Signer ${index}`,
        email: `explorer${index}@example.org`,
        emailCanonical: `explorer${index}@example.org`,
        city: index < 2 ? "Almaty" : "Somewhere",
        country,
        status: "CONFIRMED" as const,
        confirmedAt: new Date(Date.now() - index * 60_000),
        showPublicly: index !== 1,
      })),
    });
    await db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: countries.length, listed: countries.length - 1 } });

    await page.goto(`${appeal.path}/signers`);
    const breakdown = page.getByRole("region", { name: "Where signers come from" });
    await expect(breakdown.getByRole("img", { name: /Where signers come from/ })).toBeVisible();
    await expect(breakdown.getByRole("row", { name: /Kazakhstan 6/ })).toBeVisible();
    await expect(breakdown.getByRole("row", { name: /Not given 1/ })).toBeVisible();
    // A country given by fewer than five signers is counted but never named: it could point to one of them.
    await expect(breakdown.getByRole("row", { name: /Countries with fewer than 5 signatures each 9/ })).toBeVisible();
    await expect(breakdown).not.toContainText("Norway");
    await expect(breakdown).toContainText("A country is named here once 5 signers have given it");
    // Two countries tie for the most signatures: the summary names both, not whichever came first.
    await expect(page.locator("#countries-summary")).toContainText(/Most: (Kazakhstan, Germany|Germany, Kazakhstan)\./);
    await expectNoAccessibilityViolations(page);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: testInfo.outputPath(`signers-${width}.png`), fullPage: true });
    }

    // The search works without JavaScript: a GET form.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const withoutScripts = await context.newPage();
    await withoutScripts.goto(`${appeal.path}/signers`);
    await withoutScripts.getByLabel("Search listed signers by name, role or city").fill("aigerim almaty");
    await withoutScripts.getByRole("button", { name: "Search" }).click();
    await expect(withoutScripts).toHaveURL(/\?q=aigerim\+almaty$/);
    await expect(withoutScripts.getByTestId("signer-list")).toContainText("Aigerim Nurlanqyzy");
    await expect(withoutScripts.getByTestId("signer-list")).not.toContainText("Aigerim Secret");
    await expect(withoutScripts.getByLabel("Search listed signers by name, role or city")).toHaveValue("aigerim almaty");
    await withoutScripts.screenshot({ path: testInfo.outputPath("signers-search-1280.png"), fullPage: true });
    await context.close();

    await page.goto(`${appeal.path}/signers?q=aigerim`);
    await expect(page.getByTestId("signer-list")).toContainText("Aigerim Nurlanqyzy");
    await expectNoAccessibilityViolations(page);
    await page.goto(`/appeals/${appeal.slug}/badge.svg`);
    await page.screenshot({ path: testInfo.outputPath("badge.png") });
  });
});
