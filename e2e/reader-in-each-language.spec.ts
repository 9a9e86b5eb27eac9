import type { Page } from "@playwright/test";
import { confirmationLink, expect, expectNoAccessibilityViolations, signInAs, test } from "./support/fixtures";

const languages = [
  { code: "en", heading: "Add your name" },
  { code: "ru", heading: "Поставьте свою подпись" },
  { code: "kk", heading: "Есіміңізді қосыңыз" },
] as const;

/** Presses Tab until the element matching `selector` has the focus, as a keyboard user would. */
async function tabTo(page: Page, selector: string) {
  for (let presses = 0; presses < 120; presses++) {
    if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) break;
    await page.keyboard.press("Tab");
  }
  await expect(page.locator(selector)).toBeFocused();
  // Focus is always visible: the focused element draws an outline.
  const outline = await page.locator(selector).evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline, `${selector} shows where the focus is`).not.toBe("none");
}

test.describe("A reader in each language", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  for (const language of languages) {
    test(`${language.code}: the public pages speak the language, pass axe, and show the count in the first screen on a phone`, async ({ page, appeal }) => {
      await page.goto(`${appeal.path}?lang=${language.code}`);
      await expect(page.locator("html")).toHaveAttribute("lang", new RegExp(`^${language.code}`));
      await expect(page.getByRole("heading", { name: language.heading })).toBeAttached();
      const count = await page.getByTestId("signature-count").boundingBox();
      expect(count, "the count is on the page").not.toBeNull();
      expect(count!.y + count!.height, "the count is in the first screen of a phone").toBeLessThan(844);
      await expectNoAccessibilityViolations(page);

      // The choice sticks: the next pages keep the language without ?lang=.
      for (const path of ["/", `${appeal.path}/signers`, "/privacy", "/sign-in"]) {
        await page.goto(path);
        await expect(page.locator("html")).toHaveAttribute("lang", new RegExp(`^${language.code}`));
        await expectNoAccessibilityViolations(page);
      }
    });

    test(`${language.code}: the organizer pages pass axe`, async ({ page, appeal, context, db }) => {
      await signInAs(context, db, "OWNER");
      for (const path of ["/organize", `/organize/appeals/${appeal.id}`, `/organize/appeals/${appeal.id}/signatures`, `/organize/appeals/${appeal.id}/dashboard`, `/organize/appeals/${appeal.id}/details`]) {
        await page.goto(`${path}?lang=${language.code}`);
        await expect(page.locator("html")).toHaveAttribute("lang", new RegExp(`^${language.code}`));
        await expectNoAccessibilityViolations(page);
      }
    });
  }

  test("signs and confirms with the keyboard alone", async ({ page, appeal, inbox }) => {
    await page.goto(appeal.path);
    await tabTo(page, "#fullName");
    await page.keyboard.type("Keyboard Kim");
    await tabTo(page, "#email");
    await page.keyboard.type("kim@example.org");
    await tabTo(page, "#showPublicly");
    await page.keyboard.press("Space");
    await tabTo(page, "#acceptPrivacy");
    await page.keyboard.press("Space");
    await tabTo(page, "#sign-form button[type=submit]");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    const email = await inbox.waitForMessage("kim@example.org", "Confirm your signature");
    await page.goto(confirmationLink(email));
    await tabTo(page, "main button[type=submit]");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();
    await page.goto(appeal.path);
    await expect(page.getByTestId("signature-count").locator(".count")).toHaveText("1 signature");
  });
});
