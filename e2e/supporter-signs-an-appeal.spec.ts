import type { Page } from "@playwright/test";
import { confirmationLink, countOnPage, countOnVisit, expect, expectNoAccessibilityViolations, expectOnFreshVisit, fillAndSubmitSignForm, test } from "./support/fixtures";


test.describe("Suzie signs an appeal", () => {
  test("she signs, confirms from the email, and appears on the list; the count goes up by one", async ({ page, appeal, inbox }) => {
    await page.goto(appeal.path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(appeal.title);
    const before = await countOnPage(page);
    await expectNoAccessibilityViolations(page);

    await fillAndSubmitSignForm(page, {
      fullName: "Suzie Quatro-Marsh",
      email: "suzie@example.org",
      role: "cyclist",
      country: "United Kingdom",
      city: "Leeds",
      comment: "Our children walk this road every day.",
      showPublicly: true,
    });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await expect(page).toHaveURL(`${appeal.path}/thanks`);
    await expectNoAccessibilityViolations(page);

    // Nothing counts until she confirms.
    await page.getByRole("link", { name: "Back to the appeal" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(appeal.title);
    expect(await countOnPage(page)).toBe(before);
    await expect(page.getByTestId("signer-list")).toHaveCount(0);

    const email = await inbox.waitForMessage("suzie@example.org", "Confirm your signature");
    expect(email.subject).toContain(appeal.title);
    await page.goto(confirmationLink(email));
    await expect(page.getByText(`You are about to add the name Suzie Quatro-Marsh to “${appeal.title}”`)).toBeVisible();
    await expectNoAccessibilityViolations(page);
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    await expect(page.getByText("Your name is on the public list.")).toBeVisible();
    await expectNoAccessibilityViolations(page);

    // Within seconds of her first visit: no cache may show her the old count.
    await page.getByRole("link", { name: "See the appeal" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(appeal.title);
    expect(await countOnPage(page)).toBe(before + 1);
    const listed = page.getByTestId("signer-list").getByRole("listitem").first();
    await expect(listed).toContainText("Suzie Quatro-Marsh, cyclist");
    await expect(listed).toContainText("Leeds, United Kingdom");
    await expect(listed).toContainText("Our children walk this road every day.");
    await expect(page.locator("body")).not.toContainText("suzie@example.org");

    // Pressing the button again (back, resubmit) is harmless.
    await page.goto(confirmationLink(email));
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    await expect.poll(() => countOnVisit(page, appeal.path)).toBe(before + 1);
  });

  test("signing twice, once in capitals, gives one signature, the same page, and the right email each time", async ({ page, appeal, inbox }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Ravi Shankar Iyer", email: "ravi@example.org" });
    const thanksWhileNew = await thanksPageText(page);

    // Still pending: a second confirmation email.
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Ravi Shankar Iyer", email: "RAVI@Example.ORG" });
    expect(await thanksPageText(page)).toBe(thanksWhileNew);
    const second = await inbox.waitForMessage("ravi@example.org", "Confirm your signature", { count: 2 });

    await page.goto(confirmationLink(second));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();

    // Confirmed: the same page again, and an email saying they have already signed.
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Ravi S. Iyer", email: "Ravi@example.org" });
    expect(await thanksPageText(page)).toBe(thanksWhileNew);
    const notice = await inbox.waitForMessage("ravi@example.org", "You have already signed");
    expect(notice.text).not.toMatch(/\/confirm\//);

    await expect.poll(() => countOnVisit(page, appeal.path)).toBe(1);
  });

  test("while her signature is on its way the button says so and cannot be pressed twice; a page that never leaves is usable again", async ({ page, appeal }) => {
    await page.clock.install();
    await page.goto(appeal.path);
    const form = page.getByRole("form", { name: "Add your name" });
    const button = form.getByRole("button", { name: /^Sign/ });
    // The pending state is the page's script: wait until React has taken over the button.
    await expect.poll(() => button.evaluate((element) => Object.keys(element).some((key) => key.startsWith("__reactFiber")))).toBe(true);
    // A post that has not come back: the page stays where it is, as it does while a busy site answers
    // (stopped after React has seen the press, as the browser would go on to send it).
    await page.evaluate(() => window.addEventListener("submit", (event) => event.preventDefault()));
    await fillAndSubmitSignForm(page, { fullName: "Pat Waiting", email: "pat@example.org" });
    await expect(button).toBeDisabled();
    await expect(button).toHaveText("Signing…");
    // Stopped (Esc, or the network gave up): after a while she can press it again.
    await page.clock.runFor(8_000);
    await expect(button).toBeEnabled();
    await expect(button).toHaveText("Sign");
  });

  test("field errors appear next to the fields and what was typed is kept", async ({ page, appeal }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, {
      fullName: "",
      email: "not-an-address",
      role: "nurse",
      city: "Porto",
      comment: "Keep this text",
    });
    const form = page.getByRole("form", { name: "Add your name" });
    // The GOV.UK pattern: a summary that takes the focus, with a link to each field in trouble.
    const summary = form.getByRole("alert");
    await expect(summary.getByRole("heading")).toHaveText("There is a problem");
    await expect(summary.getByRole("link")).toHaveText(["Enter your full name.", /Enter an email address like name@example.org/]);
    await expect(summary).toBeFocused();
    await expect(form.getByLabel("Full name")).toHaveAccessibleDescription("Enter your full name.");
    await expect(form.getByLabel("Email", { exact: true })).toHaveAccessibleDescription(/Enter an email address like name@example.org/);
    await summary.getByRole("link", { name: /Enter an email address/ }).click();
    await expect(form.getByLabel("Email", { exact: true })).toBeFocused();
    await expect(form.getByLabel("Email", { exact: true })).toHaveValue("not-an-address");
    await expect(form.getByLabel("Role or organisation")).toHaveValue("nurse");
    await expect(form.getByLabel("City")).toHaveValue("Porto");
    await expect(form.getByLabel("Comment")).toHaveValue("Keep this text");
    await expect(form.getByLabel("I have read the privacy notice")).toBeChecked();
    await expectNoAccessibilityViolations(page);
  });

  test("opening the confirmation link without pressing the button confirms nothing", async ({ page, appeal, inbox }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Mei Lin Chow", email: "mei@example.org", showPublicly: true });
    const email = await inbox.waitForMessage("mei@example.org", "Confirm your signature");

    // As a mail scanner would: fetch the link, more than once, and leave.
    const link = confirmationLink(email);
    expect((await page.request.get(link)).status()).toBe(200);
    await page.goto(link);
    await expect(page.getByRole("button", { name: "Confirm my signature" })).toBeVisible();

    await page.goto(appeal.path);
    expect(await countOnPage(page)).toBe(0);
    await expect(page.getByText("Mei Lin Chow")).toHaveCount(0);
  });

  test("names in any script and names that look like HTML are shown exactly as typed", async ({ page, appeal, inbox }) => {
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const names = [
      { fullName: "Жасарал Қуанышалин", email: "zhasaral@example.org" },
      { fullName: "<img src=x onerror=alert(1)>", email: "markup@example.org" },
    ];
    for (const signer of names) {
      await page.goto(appeal.path);
      await fillAndSubmitSignForm(page, { ...signer, showPublicly: true });
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
      const email = await inbox.waitForMessage(signer.email, "Confirm your signature");
      await page.goto(confirmationLink(email));
      await expect(page.getByText(`You are about to add the name ${signer.fullName} to`)).toBeVisible();
      await page.getByRole("button", { name: "Confirm my signature" }).click();
      await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    }

    const list = page.getByTestId("signer-list");
    await expectOnFreshVisit(page, appeal.path, async () => {
      await expect(list.getByText("Жасарал Қуанышалин", { exact: true })).toBeVisible({ timeout: 500 });
      await expect(list.getByText("<img src=x onerror=alert(1)>", { exact: true })).toBeVisible({ timeout: 500 });
    });
    await expect(list.locator("img")).toHaveCount(0);
    expect(dialogs).toEqual([]);
  });
});

test.describe("Many signatures from one network", () => {
  test("past the limit the next signature is held: the same thanks page, but not counted and no email", async ({ page, appeal, db, inbox }) => {
    // The journeys' app allows 4 signatures per minute per address and appeal.
    for (let index = 1; index <= 5; index++) {
      await page.goto(appeal.path);
      await fillAndSubmitSignForm(page, { fullName: `Office Colleague ${index}`, email: `colleague${index}@example.org`, city: "Ghent" });
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    }
    await inbox.waitForMessage("colleague4@example.org", "Confirm your signature");
    expect(await db.signature.count({ where: { appealId: appeal.id, status: "PENDING" } })).toBe(4);
    const held = await db.signature.findFirstOrThrow({ where: { appealId: appeal.id, status: "HELD" } });
    expect(held).toMatchObject({ fullName: "Office Colleague 5", heldReason: "address-minute" });
    expect(await inbox.messagesTo("colleague5@example.org")).toEqual([]);
  });
});

test.describe("A bot that fills every field", () => {
  test("a filled honeypot gets the same thanks page, and nothing is stored or emailed", async ({ page, appeal, db, inbox }) => {
    await page.goto(appeal.path);
    // People never see this field; form-filling bots fill it along with the rest.
    await page.locator('input[name="website"]').fill("https://spam.example", { force: true });
    await fillAndSubmitSignForm(page, { fullName: "Spam Bot", email: "bot@example.org", showPublicly: true });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    expect(await db.signature.count({ where: { appealId: appeal.id } })).toBe(0);
    // The same submission without the honeypot is stored, so the zero above means something.
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Real Person", email: "person@example.org" });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await inbox.waitForMessage("person@example.org", "Confirm your signature");
    expect(await db.signature.count({ where: { appealId: appeal.id } })).toBe(1);
    expect(await inbox.messagesTo("bot@example.org")).toEqual([]);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a visitor can sign and confirm", async ({ page, appeal, inbox }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Noor Haddad", email: "noor@example.org", showPublicly: true });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    const email = await inbox.waitForMessage("noor@example.org", "Confirm your signature");
    await page.goto(confirmationLink(email));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();

    // Public pages may be served up to two seconds old (PAGE_CACHE_SECONDS): fresh visits until it shows.
    await expect.poll(() => countOnVisit(page, appeal.path)).toBe(1);
    await expect(page.getByTestId("signer-list")).toContainText("Noor Haddad");
  });

  test("field errors show and typed values are kept", async ({ page, appeal }) => {
    await page.goto(appeal.path);
    await fillAndSubmitSignForm(page, { fullName: "Noor Haddad", email: "noor@@example", acceptPrivacy: false });
    const form = page.getByRole("form", { name: "Add your name" });
    // Without JavaScript too: the summary links to each field, and each message sits at its field.
    await expect(form.getByRole("alert").getByRole("link")).toHaveText(["Enter an email address like name@example.org.", "Please confirm that you have read the privacy notice."]);
    await expect(form.getByLabel("Email", { exact: true })).toHaveAccessibleDescription(/Enter an email address like name@example.org/);
    await expect(form.getByRole("checkbox", { name: /I have read the privacy notice/ })).toHaveAccessibleDescription("Please confirm that you have read the privacy notice.");
    await expect(form.getByLabel("Full name")).toHaveValue("Noor Haddad");
    await expect(form.getByLabel("Email", { exact: true })).toHaveValue("noor@@example");
  });
});

/**
 * The thanks page's text once it is whole: the form is a plain post, so the page arrives as a
 * document, and its Copy buttons appear only when its script has run (where the browser can copy).
 */
async function thanksPageText(page: Page): Promise<string> {
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy" }).first()).toBeVisible();
  return page.locator("main").innerText();
}
