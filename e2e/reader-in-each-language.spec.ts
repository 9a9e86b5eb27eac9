import type { Page } from "@playwright/test";
import { confirmationLink, expect, expectNoAccessibilityViolations, expectOnFreshVisit, test } from "./support/fixtures";

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

/** Every public page a reader can reach, in two halves (one test each, so each stays short). */
function publicPages(appealPath: string): Record<string, string[]> {
  return {
    "the pages about appeals": ["/", `${appealPath}/signers`, `${appealPath}/thanks`, `${appealPath}/embed`, `${appealPath}/flyer`, "/archive", "/privacy", "/imprint"],
    // Links that are broken or used up get friendly pages of their own.
    "the sign-in pages and the pages of emailed links": [
      "/sign-in",
      "/forgot-password",
      "/confirm/not-a-real-token",
      "/withdraw/not-a-real-token",
      "/unsubscribe/not-a-real-token",
      "/password/not-a-real-token",
      "/no-such-page",
    ],
  };
}

test.describe("A reader in each language", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  for (const language of languages) {
    test(`${language.code}: the appeal page speaks the language, passes axe, shows the count in the first screen on a phone, and its form's errors pass axe`, async ({ page, appeal }) => {
      await page.goto(`${appeal.path}?lang=${language.code}`);
      await expect(page.locator("html")).toHaveAttribute("lang", new RegExp(`^${language.code}`));
      await expect(page.getByRole("heading", { name: language.heading })).toBeAttached();
      const count = await page.getByTestId("signature-count").boundingBox();
      expect(count, "the count is on the page").not.toBeNull();
      expect(count!.y + count!.height, "the count is in the first screen of a phone").toBeLessThan(844);
      await expectNoAccessibilityViolations(page);
      // Longer words (a Russian "Копировать" beside the link to copy) never push the page sideways, on a phone or a desktop.
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 844 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scrolling at ${width} px`).toBeLessThanOrEqual(width);
      }
      // On a desktop the letter follows its title, however much taller the column beside it is
      // (the test appeal's text is short; the form and the signers beside it are long).
      await page.setViewportSize({ width: 1280, height: 844 });
      const head = (await page.locator(".appeal-head").boundingBox())!;
      const letter = (await page.locator(".appeal-body").boundingBox())!;
      expect(letter.y - (head.y + head.height), "the gap between the title and the letter, in px").toBeLessThan(48);
      await page.setViewportSize({ width: 390, height: 844 });

      // Sent empty, the form lists its problems (the summary takes the focus).
      await page.locator("#sign-form button[type=submit]").click();
      await expect(page.getByRole("alert")).toBeFocused();
      await expectNoAccessibilityViolations(page);
    });

    for (const half of ["the pages about appeals", "the sign-in pages and the pages of emailed links"]) {
      test(`${language.code}: ${half} keep the language and pass axe`, async ({ page, appeal }) => {
        // The choice sticks: after ?lang= once, the next pages keep the language without it.
        await page.goto(`/?lang=${language.code}`);
        for (const path of publicPages(appeal.path)[half]!) {
          await test.step(path, async () => {
            await page.goto(path);
            await expect(page.locator("html"), path).toHaveAttribute("lang", new RegExp(`^${language.code}`));
            await expectNoAccessibilityViolations(page);
          });
        }
      });
    }
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
    await expectOnFreshVisit(page, appeal.path, async () => {
      await expect(page.getByTestId("signature-count").locator(".count")).toHaveText("1 signature", { timeout: 500 });
    });
  });
});
