import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { startSession } from "~/domain/organizer-sessions";
import type { OrganizerRole, SignedInOrganizer } from "~/domain/organizers";
import { createDatabaseClient, type Database } from "~/infra/db.server";
import { readMailbox, type MailboxMessage } from "~/local/mailbox.server";
import { createTestAppeal } from "../../tests/support/appeals";

type TestAppeal = Awaited<ReturnType<typeof createTestAppeal>> & { path: string };

export type Inbox = {
  /** Waits for the newest message to `to` whose subject contains `subject`. */
  waitForMessage: (to: string, subject: string, options?: { count?: number }) => Promise<MailboxMessage>;
  messagesTo: (to: string) => Promise<MailboxMessage[]>;
};

/**
 * An organizer of the given role, signed in in this test's browser: made directly in the
 * database, with a session cookie, for journeys that are not about signing in.
 */
export async function signInAs(context: BrowserContext, db: Database, role: OrganizerRole = "OWNER"): Promise<SignedInOrganizer> {
  const suffix = randomBytes(4).toString("hex");
  const email = `${role.toLowerCase()}-${suffix}@organizers.example`;
  const organizer = await db.organizer.create({
    data: { email, emailCanonical: email, name: `${role === "OWNER" ? "Olga Owner" : "Eddie Editor"} ${suffix}`, role },
    select: { id: true, name: true, email: true, role: true },
  });
  const { token, expiresAt } = await startSession(db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
  const baseURL = `http://localhost:${process.env.UNDERSIGN_E2E_PORT}`;
  await context.addCookies([{ name: "undersign_session", value: token, url: baseURL, httpOnly: true, sameSite: "Lax", expires: Math.floor(expiresAt.getTime() / 1000) }]);
  return organizer;
}

export const test = base.extend<{ appeal: TestAppeal; inbox: Inbox }, { db: Database }>({
  // Every journey runs under the site's Content-Security-Policy: anything it blocks (an inline
  // script without the nonce, a style or worker from elsewhere) fails the journey.
  // Nor may the page's JavaScript throw: a page that hydrates with other text than the server
  // sent (React errors 418, 423, 425) is thrown away and drawn again, losing what was typed.
  page: async ({ page }, use) => {
    const violations: string[] = [];
    const errors: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
    await use(page);
    expect(violations, "the page broke its Content-Security-Policy").toEqual([]);
    expect(errors, "the page's JavaScript threw").toEqual([]);
  },
  db: [
    async ({}, use) => {
      const url = process.env.UNDERSIGN_E2E_DATABASE_URL;
      if (!url) throw new Error("UNDERSIGN_E2E_DATABASE_URL is not set (global setup sets it)");
      const db = createDatabaseClient(url, { maxConnections: 4 });
      await use(db);
      await db.$disconnect();
    },
    { scope: "worker" },
  ],
  // Every journey gets an appeal of its own, so counts and lists belong to that test alone.
  appeal: async ({ db }, use) => {
    const appeal = await createTestAppeal(db);
    await use({ ...appeal, path: `/appeals/${appeal.slug}` });
  },
  inbox: async ({}, use) => {
    const directory = process.env.UNDERSIGN_E2E_MAILBOX;
    if (!directory) throw new Error("UNDERSIGN_E2E_MAILBOX is not set (global setup sets it)");
    const messagesTo = async (to: string) =>
      (await readMailbox(directory)).filter((message) => message.to.toLowerCase() === to.toLowerCase()).reverse();
    await use({
      messagesTo,
      async waitForMessage(to, subject, { count = 1 } = {}) {
        let matching: MailboxMessage[] = [];
        await expect
          .poll(async () => {
            matching = (await messagesTo(to)).filter((message) => message.subject.includes(subject));
            return matching.length;
          }, { message: `waiting for ${count} email(s) to ${to} about "${subject}"` })
          .toBeGreaterThanOrEqual(count);
        return matching[matching.length - 1]!;
      },
    });
  },
});

export { expect };

export type Signer = {
  fullName: string;
  email: string;
  role?: string;
  country?: string;
  city?: string;
  comment?: string;
  showPublicly?: boolean;
  wantsUpdates?: boolean;
  acceptPrivacy?: boolean;
};

/** Fills the sign form as a person would, by its labels, and presses "Sign". */
export async function fillAndSubmitSignForm(page: Page, signer: Signer) {
  const form = page.getByRole("form", { name: "Add your name" });
  await form.getByLabel("Full name").fill(signer.fullName);
  await form.getByLabel("Email", { exact: true }).fill(signer.email);
  if (signer.role) await form.getByLabel("Role or organisation").fill(signer.role);
  if (signer.country) await form.getByLabel("Country").selectOption({ label: signer.country });
  if (signer.city) await form.getByLabel("City").fill(signer.city);
  if (signer.comment) await form.getByLabel("Comment").fill(signer.comment);
  if (signer.showPublicly) await form.getByLabel("Show my name on the public list").check();
  if (signer.wantsUpdates) await form.getByLabel("Email me updates about this appeal").check();
  if (signer.acceptPrivacy ?? true) await form.getByLabel("I have read the privacy notice").check();
  await form.getByRole("button", { name: "Sign" }).click();
}

/** The confirmation link in an email, as a person would click it. */
export function confirmationLink(message: MailboxMessage): string {
  const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
  if (!link) throw new Error(`no confirmation link in "${message.subject}"`);
  return link;
}

/** The number a visitor reads in the count box of the page as it is now. */
export async function countOnPage(page: Page): Promise<number> {
  const text = await page.getByTestId("signature-count").locator(".count").innerText();
  return /^No signatures/.test(text) ? 0 : Number(text.replace(/[^\d]/g, ""));
}

/**
 * The number a visitor reads on a fresh visit. Public pages are kept for a second
 * (PAGE_CACHE_SECONDS) and may be served up to two old, so after a change callers poll:
 * `await expect.poll(() => countOnVisit(page, path)).toBe(n)`.
 */
export async function countOnVisit(page: Page, path: string): Promise<number> {
  await page.goto(path);
  return countOnPage(page);
}

/**
 * Visits `path` afresh until `check` passes on what the page shows: after a change a public page
 * may still be served up to two seconds old (PAGE_CACHE_SECONDS), so one visit proves nothing.
 * Each check gets a short timeout, so a stale page is replaced by a new visit quickly.
 */
export async function expectOnFreshVisit(page: Page, path: string, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.goto(path);
    await check();
  }).toPass({ timeout: 10_000 });
}

/** axe-core finds no accessibility violations on the page as it is now. */
export async function expectNoAccessibilityViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

/** `npm run organizer -- …` against the journeys' database, as a person would run it. */
export async function runOrganizerCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { runProcess } = await import("../../tests/support/processes");
  const result = await runProcess("npx", ["tsx", "scripts/organizer.ts", ...args], {
    env: { DATABASE_URL: process.env.UNDERSIGN_E2E_DATABASE_URL, PUBLIC_URL: `http://localhost:${process.env.UNDERSIGN_E2E_PORT}`, NODE_ENV: "test", SESSION_SECRET: "x".repeat(32) },
    timeoutMs: 60_000,
  });
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}
