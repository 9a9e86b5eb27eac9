import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { confirmationLink, expect, expectNoAccessibilityViolations, fillAndSubmitSignForm, test } from "./support/fixtures";

/**
 * Another site — an organizer's blog — on its own server: 127.0.0.1 is another site than the
 * app's localhost. A real server, not a routed fake: Chromium refuses a page it cannot place on
 * the network (a fulfilled route) any frame of a local address.
 */
let otherSite: Server;
let otherSiteUrl = "";

test.beforeAll(async () => {
  otherSite = createServer((req, res) => {
    const framed = new URL(req.url ?? "/", "http://127.0.0.1").searchParams.get("frame") ?? "";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>A blog</title><h1>Our campaign</h1><iframe src="${framed.replace(/"/g, "&quot;")}" title="The appeal" width="100%" height="260" style="border:0;max-width:480px"></iframe>`);
  });
  await new Promise<void>((listening) => otherSite.listen(0, "127.0.0.1", listening));
  otherSiteUrl = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((closed) => otherSite.close(closed));
});

/** The blog's post with a frame of `url`, as the organizer's snippet makes one. */
const postFraming = (url: string) => `${otherSiteUrl}/post?frame=${encodeURIComponent(url)}`;

test.describe("Sam passes an appeal on", () => {
  test("after signing and confirming he gets links to share it, copies its address, and a blog shows it in a frame", async ({ page, context, appeal, inbox, baseURL }) => {
    const address = `${baseURL}${appeal.path}`;

    await page.goto(appeal.path);
    const compact = page.getByRole("region", { name: "Share this appeal" });
    await expect(compact.getByRole("link", { name: "Telegram" })).toHaveAttribute("href", new RegExp(encodeURIComponent(address).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));

    await fillAndSubmitSignForm(page, { fullName: "Sam Sharer", email: "sam@example.org" });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Tell a friend" })).toBeVisible();

    const email = await inbox.waitForMessage("sam@example.org", "Confirm your signature");
    await page.goto(confirmationLink(email));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await expect(page.getByRole("heading", { name: "Thank you, your signature is confirmed" })).toBeVisible();

    const share = page.getByRole("region", { name: "Tell a friend" });
    const mail = await share.getByRole("link", { name: "Email" }).getAttribute("href");
    expect(decodeURIComponent(mail ?? "")).toContain(address);
    for (const name of ["Telegram", "WhatsApp", "X", "Facebook"]) {
      const link = share.getByRole("link", { name, exact: true });
      await expect(link).toHaveAttribute("target", "_blank");
      expect(decodeURIComponent((await link.getAttribute("href")) ?? "")).toContain(address);
    }
    await expect(share.getByLabel("Link to the appeal")).toHaveValue(address);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    await share.getByRole("button", { name: "Copy" }).click();
    await expect(share.locator(".copy-status")).toHaveText("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
    await expectNoAccessibilityViolations(page);

    // A blog embeds the appeal with the snippet from the organizer's overview.
    await page.goto(postFraming(`${address}/embed`));
    const frame = page.frameLocator("iframe");
    await expect(frame.getByTestId("signature-count")).toContainText("1 signature");
    const opened = context.waitForEvent("page");
    await frame.getByRole("link", { name: /Sign this appeal/ }).click();
    const appealTab = await opened;
    await expect(appealTab).toHaveURL(address);
    await expect(appealTab.getByRole("heading", { level: 1 })).toHaveText(appeal.title);
  });

  test("another site cannot frame the appeal page itself", async ({ browser, appeal, baseURL }) => {
    // A page of its own: the browser reports the refused frame as a CSP violation, which the
    // journeys' page would count as a failure.
    const page = await browser.newPage();
    const refusals: string[] = [];
    page.on("console", (message) => {
      if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
    });
    await page.goto(postFraming(`${baseURL}${appeal.path}`));
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    await expect(page.frameLocator("iframe").getByRole("heading", { level: 1 })).toHaveCount(0);
    await page.close();
  });
});
