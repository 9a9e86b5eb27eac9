import { expect, signInAs, test } from "./support/fixtures";

/** An owner invites an editor by email, and later removes them. */
test.describe("An owner manages organizers", () => {
  test("invites an editor, who chooses a password from the email; removing her signs her out", async ({ page, browser, context, db, inbox }) => {
    const owner = await signInAs(context, db, "OWNER");
    const email = `eve-${Date.now()}@example.org`;
    await page.goto("/organize/organizers");
    const invite = page.getByRole("region", { name: "Invite an organizer" });
    await invite.getByLabel("Name").fill("Eve Editor");
    await invite.getByLabel("Email").fill("not an address");
    await invite.getByRole("button", { name: "Send the invitation" }).click();
    await expect(page.getByRole("alert")).toContainText("Enter an email address like name@example.org.");
    await expect(invite.getByLabel("Name")).toHaveValue("Eve Editor");
    await invite.getByLabel("Email").fill(email);
    await invite.getByRole("button", { name: "Send the invitation" }).click();
    await expect(page.getByRole("status")).toHaveText(`Invitation sent to ${email}.`);
    await expect(page.getByRole("row", { name: /Eve Editor/ })).toContainText("Invited, no password yet");

    const invitation = await inbox.waitForMessage(email, "You are invited to organize appeals");
    expect(invitation.text).toContain(`${owner.name} invites you`);
    const eveContext = await browser.newContext();
    const eve = await eveContext.newPage();
    await eve.goto(/http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(invitation.text)![0]);
    await eve.getByLabel("New password").fill("quiet library at noon");
    await eve.getByLabel("The same password again").fill("quiet library at noon");
    await eve.getByRole("button", { name: "Save the password" }).click();
    await expect(eve.getByText("Signed in as Eve Editor")).toBeVisible();
    await expect(eve.getByRole("navigation", { name: "Organizer area" }).getByRole("link", { name: "Audit log" })).toHaveCount(0);

    await page.reload();
    await expect(page.getByRole("row", { name: /Eve Editor/ })).toContainText("Active");
    await page.getByRole("button", { name: "Remove: Eve Editor" }).click();
    await expect(page.getByRole("status")).toHaveText("Eve Editor was removed and signed out everywhere.");
    await eve.goto("/organize");
    await expect(eve).toHaveURL(/\/sign-in/);

    await page.goto("/organize/audit");
    const log = page.getByRole("table");
    await expect(log).toContainText(`Organizer removed · ${email}`);
    await expect(log).toContainText(`Organizer invited · ${email}`);
    await eveContext.close();
  });
});
