import { createTestAppeal } from "../tests/support/appeals";
import { expect, expectNoAccessibilityViolations, signInAs, test } from "./support/fixtures";

/**
 * Who may see what in the organizer area: nobody signed out, editors everything but organizers
 * and the audit log, owners everything. The guard is one Express middleware in front of every
 * /organize request; these journeys knock on every door.
 */
const ORGANIZER_PAGES = [
  "/organize",
  "/organize/appeals/new",
  "{appeal}",
  "{appeal}/dashboard",
  "{appeal}/details",
  "{appeal}/texts",
  "{appeal}/texts/en",
  "{appeal}/signatories",
  "{appeal}/attachments",
  "{appeal}/export",
  "{appeal}/protection",
  "{appeal}/signatures",
  "{appeal}/updates",
  "{appeal}/paper",
  "{appeal}/preview",
  "/organize/organizers",
  "/organize/audit",
  "/organize/block-list",
];

function organizerPage(template: string, appealId: string): string {
  return template.replace("{appeal}", `/organize/appeals/${appealId}`);
}

function organizerPages(appealId: string): string[] {
  return ORGANIZER_PAGES.map((template) => organizerPage(template, appealId));
}

test.describe("The organizer area, signed out", () => {
  test("every organizer page asks to sign in, and comes back to the page afterwards", async ({ page, appeal }) => {
    for (const path of organizerPages(appeal.id)) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(303);
      expect(response.headers()["location"], path).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
    }
    await page.goto(`/organize/appeals/${appeal.id}/details`);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });

  test("export files, page data and every form post answer 401, and nothing changes", async ({ page, appeal, db }) => {
    const base = `/organize/appeals/${appeal.id}`;
    for (const path of [`${base}/export.csv`, `${base}/export.json`, `${base}/export.csv?bom=1`, "/organize.data", `${base}/details.data`]) {
      expect((await page.request.get(path, { maxRedirects: 0 })).status(), path).toBe(401);
    }
    const posts: [string, Record<string, string>][] = [
      [base, { action: "close" }],
      [`${base}/details`, { slug: "hijacked", publisherName: "X" }],
      ["/organize/organizers", { intent: "invite", name: "Mallory", email: "mallory@example.org", role: "OWNER" }],
      ["/organize/appeals/new", { locale: "en", title: "Spam", publisherName: "Spam" }],
      [`${base}/signatures`, { intent: "apply", bulkDomain: "example.org", asOf: new Date().toISOString() }],
    ];
    for (const [path, form] of posts) {
      const response = await page.request.post(path, { form, maxRedirects: 0 });
      expect(response.status(), path).toBe(401);
    }
    expect((await db.appeal.findUniqueOrThrow({ where: { id: appeal.id } })).status).toBe("PUBLISHED");
    expect(await db.organizer.count({ where: { emailCanonical: "mallory@example.org" } })).toBe(0);
  });
});

test.describe("The organizer area for an editor", () => {
  test("an editor runs appeals but cannot manage organizers or read the audit log", async ({ page, appeal, db, context }) => {
    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}/details`);
    await expect(page.getByRole("heading", { name: appeal.title })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Organizer area" }).getByRole("link", { name: "Organizers" })).toHaveCount(0);

    for (const path of ["/organize/organizers", "/organize/audit", "/organize/block-list"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/organize\?denied=1$/);
      await expect(page.getByRole("status")).toHaveText("Your role does not give you access to that page.");
    }
    const invite = await page.request.post("/organize/organizers", { form: { intent: "invite", name: "Friend", email: "friend@example.org", role: "OWNER" } });
    expect(invite.status()).toBe(403);
    expect((await page.request.get("/organize/audit.data")).status()).toBe(403);
    expect((await page.request.post("/organize/block-list", { form: { intent: "add", kind: "EMAIL_DOMAIN", value: "rival.example" } })).status()).toBe(403);
    expect(await db.blockedSigner.count({ where: { value: "rival.example" } })).toBe(0);
    expect(await db.organizer.count({ where: { emailCanonical: "friend@example.org" } })).toBe(0);
  });
});

test.describe("The organizer area for an owner", () => {
  // One test per page and language: each runs axe on its own, so a slow machine does not add
  // them into one timeout.
  for (const language of ["en", "ru", "kk"]) {
    for (const template of ORGANIZER_PAGES) {
      test(`${template} in ${language} has no accessibility violations`, async ({ page, db, context }) => {
        await signInAs(context, db, "OWNER");
        const appeal = await createTestAppeal(db, { status: "DRAFT" });
        const path = organizerPage(template, appeal.id);
        await page.goto(`${path}?lang=${language}`);
        await expect(page.locator("html"), path).toHaveAttribute("lang", new RegExp(`^${language}`));
        await expect(page.locator("main h1").first(), path).toBeVisible();
        await expectNoAccessibilityViolations(page);
      });
    }
  }

  test("a form showing its errors has no accessibility violations", async ({ page, db, context }) => {
    await signInAs(context, db, "OWNER");
    await page.goto("/organize/appeals/new");
    await page.getByRole("button", { name: "Create the draft" }).click();
    await expect(page.getByRole("alert")).toContainText("There is a problem");
    await expectNoAccessibilityViolations(page);
  });
});
