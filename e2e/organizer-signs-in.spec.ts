import { expect, expectNoAccessibilityViolations, runOrganizerCommand, test } from "./support/fixtures";

/**
 * Olga runs appeals. Her account comes from the command line; she forgets her password and
 * resets it by email; her other sessions end; signing out ends the session on the server.
 */
const password = "silver kettle on the stove";

test.describe("Olga's account", () => {
  test("created from the command line, she chooses a password from the printed link, once", async ({ page }) => {
    const email = `olga-${Date.now()}@example.org`;
    const created = await runOrganizerCommand(["create", "--email", email, "--name", "Olga Organizer"]);
    expect(created.code, created.stderr).toBe(0);
    const link = /http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
    expect(link, created.stdout).toBeTruthy();
    expect(created.stdout + created.stderr).not.toContain(password);

    await page.goto(link!);
    await expect(page.getByRole("heading", { name: "Choose your password" })).toBeVisible();
    await expectNoAccessibilityViolations(page);
    await page.getByLabel("New password").fill("password1234");
    await page.getByLabel("The same password again").fill("password1234");
    await page.getByRole("button", { name: "Save the password" }).click();
    const summary = page.getByRole("alert");
    await expect(summary).toContainText("This password is among the most common ones");
    await expectNoAccessibilityViolations(page);
    // The summary links to the field, and following the link puts the cursor there.
    await summary.getByRole("link").click();
    await expect(page.getByLabel("New password")).toBeFocused();

    await page.getByLabel("New password").fill(password);
    await page.getByLabel("The same password again").fill(password);
    await page.getByRole("button", { name: "Save the password" }).click();
    await expect(page).toHaveURL(/\/organize$/);
    await expect(page.getByText("Signed in as Olga Organizer")).toBeVisible();

    await page.goto(link!);
    await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  });

  test("she forgets her password, resets it by email; the link works once, and her other session ends", async ({ page, browser, inbox }) => {
    const email = `forgetful-${Date.now()}@example.org`;
    const created = await runOrganizerCommand(["create", "--email", email, "--name", "Forgetful Fran"]);
    const link = /http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(created.stdout)![0];
    await page.goto(link);
    await page.getByLabel("New password").fill(password);
    await page.getByLabel("The same password again").fill(password);
    await page.getByRole("button", { name: "Save the password" }).click();
    await expect(page).toHaveURL(/\/organize$/);

    // Signed in on another computer too.
    const laptop = await browser.newContext();
    const laptopPage = await laptop.newPage();
    await laptopPage.goto("/sign-in");
    await laptopPage.getByLabel("Email").fill(email);
    await laptopPage.getByLabel("Password").fill(password);
    await laptopPage.getByRole("button", { name: "Sign in" }).click();
    await expect(laptopPage).toHaveURL(/\/organize$/);

    // A stranger asks for a reset of an address that has no account: the same answer.
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto("/forgot-password");
    await strangerPage.getByLabel("Email").fill(`nobody-${Date.now()}@example.org`);
    await strangerPage.getByRole("button", { name: "Send the link" }).click();
    const sameAnswer = await strangerPage.getByRole("status").innerText();

    const phone = await browser.newContext();
    const phonePage = await phone.newPage();
    await phonePage.goto("/sign-in");
    await expectNoAccessibilityViolations(phonePage);
    await phonePage.getByRole("link", { name: "Forgot your password?" }).click();
    await expectNoAccessibilityViolations(phonePage);
    await phonePage.getByLabel("Email").fill(email.toUpperCase());
    await phonePage.getByRole("button", { name: "Send the link" }).click();
    await expect(phonePage.getByRole("status")).toHaveText(sameAnswer);

    const resetEmail = await inbox.waitForMessage(email, "Choose a new password");
    const resetLink = /http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(resetEmail.text)![0];
    await phonePage.goto(resetLink);
    await expect(phonePage.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await phonePage.getByLabel("New password").fill("a completely new phrase");
    await phonePage.getByLabel("The same password again").fill("a completely new phrase");
    await phonePage.getByRole("button", { name: "Save the password" }).click();
    await expect(phonePage).toHaveURL(/\/organize$/);
    await inbox.waitForMessage(email, "Your password was changed");

    // The second use of the link fails.
    await phonePage.goto(resetLink);
    await expect(phonePage.getByRole("heading", { name: "This link does not work" })).toBeVisible();

    // The laptop's session has ended: its next page asks to sign in.
    await laptopPage.goto("/organize");
    await expect(laptopPage).toHaveURL(/\/sign-in/);
    // The old password no longer works; the new one does.
    await laptopPage.getByLabel("Email").fill(email);
    await laptopPage.getByLabel("Password").fill(password);
    await laptopPage.getByRole("button", { name: "Sign in" }).click();
    await expect(laptopPage.getByRole("alert")).toHaveText("The email address or the password is not right.");
    await expectNoAccessibilityViolations(laptopPage);
    await laptopPage.getByLabel("Password").fill("a completely new phrase");
    await laptopPage.getByRole("button", { name: "Sign in" }).click();
    await expect(laptopPage).toHaveURL(/\/organize$/);
    await Promise.all([laptop.close(), stranger.close(), phone.close()]);
  });

  test("signing out ends the session on the server: the old cookie opens nothing", async ({ page, context }) => {
    const email = `leaver-${Date.now()}@example.org`;
    const created = await runOrganizerCommand(["create", "--email", email, "--name", "Leo Leaver", "--role", "editor"]);
    await page.goto(/http:\/\/\S+\/password\/[A-Za-z0-9_-]{43}/.exec(created.stdout)![0]);
    await page.getByLabel("New password").fill(password);
    await page.getByLabel("The same password again").fill(password);
    await page.getByRole("button", { name: "Save the password" }).click();
    await expect(page).toHaveURL(/\/organize$/);
    const cookie = (await context.cookies()).find((candidate) => candidate.name === "undersign_session")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("status")).toHaveText("You have signed out.");
    // Someone who copied the cookie before the sign-out gets nothing with it.
    await context.addCookies([cookie]);
    expect((await page.request.get("/organize", { maxRedirects: 0 })).status()).toBe(303);
  });
});
