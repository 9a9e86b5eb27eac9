import { confirmationLink, expect, expectNoAccessibilityViolations, fillAndSubmitSignForm, signInAs, test } from "./support/fixtures";

/**
 * An organizer watches an appeal grow on its dashboard, in a browser with JavaScript turned off:
 * the charts are drawn on the server, and their figures are in tables too.
 */
test.describe("An organizer watches the dashboard", () => {
  // Every context this test opens inherits it: the supporter below signs without JavaScript too.
  test.use({ javaScriptEnabled: false });
  test.setTimeout(60_000);

  test("the counts, the charts with a bar for each busy hour and day, their tables, countries and the latest signers show without JavaScript", async ({ page, browser, context, db, appeal, inbox }) => {
    await db.appeal.update({ where: { id: appeal.id }, data: { proofOfWork: "OFF" } });
    // Two signers from earlier days, and one who confirmed an hour ago…
    const hour = 3_600_000;
    const earlier = [
      { fullName: "Aigerim Nurlanovna", country: "KZ", role: "nurse", confirmedAt: new Date(Date.now() - 96 * hour) },
      { fullName: "Bruno Keller", country: "DE", role: null, confirmedAt: new Date(Date.now() - 50 * hour) },
      { fullName: "Chloé Martin", country: "KZ", role: null, confirmedAt: new Date(Date.now() - 1 * hour) },
    ];
    await db.signature.createMany({
      data: earlier.map((signer, index) => ({
        ...signer,
        appealId: appeal.id,
        email: `earlier-${index}@example.org`,
        emailCanonical: `earlier-${index}@example.org`,
        status: "CONFIRMED" as const,
      })),
    });
    await db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: earlier.length, listed: 0 } });

    // …and one who signs now, as a person does, and confirms through the email.
    const supporter = await browser.newContext();
    const supporterPage = await supporter.newPage();
    await supporterPage.goto(appeal.path);
    await fillAndSubmitSignForm(supporterPage, { fullName: "Dana Watcher", email: "dana-watcher@example.org", role: "librarian", country: "Kazakhstan" });
    await expect(supporterPage.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await supporterPage.goto(confirmationLink(await inbox.waitForMessage("dana-watcher@example.org", "Confirm your signature")));
    await supporterPage.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(supporterPage.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    await supporter.close();

    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}`);
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page).toHaveURL(new RegExp(`/organize/appeals/${appeal.id}/dashboard$`));

    const figures = page.getByRole("region", { name: "At a glance" });
    await expect(figures.getByRole("definition")).toHaveText(["4", "0", "100%"]);

    // Per hour: the hour now running and the hour before it; per day: three days, each with a bar.
    const perHour = page.getByRole("img", { name: /Signatures per hour, last 48 hours/ });
    await expect(perHour).toBeVisible();
    await expect(perHour).toHaveAccessibleName(/2 signatures confirmed in the last 48 hours/);
    await expect(perHour.locator("rect.chart-bar")).toHaveCount(2);
    const perDay = page.getByRole("img", { name: /Signatures per day since/ });
    await expect(perDay).toHaveAccessibleName(/4 signatures confirmed over \d+ days/);
    expect(await perDay.locator("rect.chart-bar").count()).toBeGreaterThanOrEqual(3);

    // The text alternative: a table with every day, opened without JavaScript.
    const perDaySection = page.getByRole("region", { name: /Signatures per day since/ });
    await perDaySection.getByText("Show the figures as a table").click();
    const dayTable = perDaySection.getByRole("table");
    await expect(dayTable).toBeVisible();
    const busyDays = dayTable.getByRole("row").filter({ has: page.getByRole("cell", { name: /^[1-9]/ }) });
    expect((await busyDays.allTextContents()).length).toBeGreaterThanOrEqual(3);
    await expect(dayTable.getByRole("row").last().getByRole("cell").last()).not.toHaveText("");

    const countries = page.getByRole("region", { name: "Top countries" }).getByRole("row");
    await expect(countries.nth(1)).toContainText("Kazakhstan3");
    await expect(countries.nth(2)).toContainText("Germany1");

    const latest = page.getByRole("region", { name: "Latest confirmed signers" });
    await expect(latest.getByRole("row").nth(1)).toContainText("Dana WatcherlibrarianKazakhstan");
    await expect(latest.getByRole("row")).toHaveCount(5);
    await expect(page.locator("main")).not.toContainText("@example.org");

    // axe-core runs in the page, so it needs JavaScript: the same page, with it, tables open.
    const withScripts = await browser.newContext({ javaScriptEnabled: true });
    await signInAs(withScripts, db, "EDITOR");
    const scripted = await withScripts.newPage();
    const blocked: string[] = [];
    scripted.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    await scripted.goto(`/organize/appeals/${appeal.id}/dashboard`);
    for (const summary of await scripted.getByText("Show the figures as a table").all()) await summary.click();
    await expectNoAccessibilityViolations(scripted);
    expect(blocked, "the page broke its Content-Security-Policy").toEqual([]);
    await withScripts.close();
  });
});
