import { createUpdate, saveUpdateTexts } from "~/domain/updates";
import { taskNames } from "~/infra/queue/outbox.server";
import { expect, expectNoAccessibilityViolations, signInAs, test } from "./support/fixtures";

/**
 * An organizer writes an update to the signers who asked for them, previews it, sends a test to
 * themselves, sends it, and watches it go out.
 */
test.describe("An organizer sends an update to signers", () => {
  test.setTimeout(60_000);

  test("writes, previews, tries it on themselves, sends it to the signers who asked, and sees it sent", async ({ page, context, db, appeal, inbox }, testInfo) => {
    const tag = appeal.slug.slice(-10);
    const signer = (name: string, wantsUpdates: boolean) => ({
      appealId: appeal.id,
      fullName: name,
      email: `${name.toLowerCase()}-${tag}@example.org`,
      emailCanonical: `${name.toLowerCase()}-${tag}@example.org`,
      wantsUpdates,
      status: "CONFIRMED" as const,
      confirmedAt: new Date(),
    });
    await db.signature.createMany({ data: [signer("Aigerim", true), signer("Bruno", true), signer("Chloe", false)] });
    const organizer = await signInAs(context, db, "EDITOR");

    await page.goto(`/organize/appeals/${appeal.id}`);
    await page.getByRole("navigation", { name: "Sections of this appeal" }).getByRole("link", { name: "Updates" }).click();
    await expect(page.getByRole("heading", { name: "Updates", level: 2 })).toBeVisible();
    await expect(page.getByText("2 confirmed signers asked for updates.")).toBeVisible();
    await page.getByRole("button", { name: "Write an update" }).click();

    await page.getByLabel("Subject").fill("The council votes on Thursday");
    await page.getByLabel("Message").fill("Thank you for signing.\n\nThe council **votes on Thursday** at 7 pm.");
    await page.getByRole("button", { name: "Save and preview" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved. Check the preview below.");
    const preview = page.getByRole("region", { name: "Preview" });
    await expect(preview.locator(".appeal-text strong")).toHaveText("votes on Thursday");
    await expect(preview.getByText("The council votes on Thursday", { exact: true })).toBeVisible();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: testInfo.outputPath("update-draft-1280.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: testInfo.outputPath("update-draft-390.png"), fullPage: true });
    await expectNoAccessibilityViolations(page);

    await page.getByRole("button", { name: "Send a test to me" }).click();
    await expect(page.getByRole("status")).toHaveText(`A test is on its way to ${organizer.email}.`);
    const testEmail = await inbox.waitForMessage(organizer.email, "[Test] The council votes on Thursday");
    expect(testEmail.text).toContain("The council **votes on Thursday** at 7 pm.");

    await page.getByRole("button", { name: "Send to 2 signers" }).click();
    await expect(page.getByTestId("update-progress")).toHaveText("2 of 2 sent, 0 failed");
    await expect(page.getByRole("heading", { name: "Sent", level: 2 })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("update-sent-390.png"), fullPage: true });
    await expectNoAccessibilityViolations(page);

    const received = await inbox.waitForMessage(`aigerim-${tag}@example.org`, "The council votes on Thursday");
    expect(received.text).toMatch(/No more updates: http:\/\/localhost:\d+\/unsubscribe\/[A-Za-z0-9_-]{43}/);
    await inbox.waitForMessage(`bruno-${tag}@example.org`, "The council votes on Thursday");

    // The signer's way out: the link asks first, the button stops updates.
    const signerPage = await context.newPage();
    const unsubscribeUrl = /No more updates: (\S+)/.exec(received.text)![1]!;
    await signerPage.goto(new URL(unsubscribeUrl).pathname);
    await expect(signerPage.getByRole("heading", { name: "Stop updates" })).toBeVisible();
    await expectNoAccessibilityViolations(signerPage);
    await signerPage.setViewportSize({ width: 390, height: 844 });
    await signerPage.screenshot({ path: testInfo.outputPath("unsubscribe-390.png"), fullPage: true });
    expect((await db.signature.findFirstOrThrow({ where: { emailCanonical: `aigerim-${tag}@example.org` } })).wantsUpdates).toBe(true);
    await signerPage.getByRole("button", { name: "Stop sending me updates" }).click();
    await expect(signerPage.getByRole("heading", { name: "No more updates" })).toBeVisible();
    expect((await db.signature.findFirstOrThrow({ where: { emailCanonical: `aigerim-${tag}@example.org` } })).wantsUpdates).toBe(false);
    await signerPage.close();
    expect(await inbox.messagesTo(`chloe-${tag}@example.org`)).toEqual([]);

    // The list shows it sent; it cannot be sent again.
    await page.getByRole("link", { name: "All updates" }).click();
    await expect(page.getByRole("row", { name: /The council votes on Thursday/ })).toContainText("Sent2 of 2 sent, 0 failed");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: testInfo.outputPath("updates-list-1280.png"), fullPage: true });
  });

  test("an update whose sending stopped (the mail server refused for hours) says so, and resuming it delivers it once to those still waiting", async ({ page, context, db, appeal, inbox }, testInfo) => {
    const tag = appeal.slug.slice(-10);
    const organizer = await signInAs(context, db, "EDITOR");
    const emails = ["dana", "emil"].map((name) => `${name}-${tag}@example.org`);
    await db.signature.createMany({
      data: emails.map((email) => ({ appealId: appeal.id, fullName: email.split("-")[0]!, email, emailCanonical: email, wantsUpdates: true, status: "CONFIRMED" as const, confirmedAt: new Date() })),
    });
    const updateId = (await createUpdate(db, appeal.id, organizer))!;
    await saveUpdateTexts(db, appeal.id, updateId, [{ locale: "en", subject: "The hearing moved", body: "To Friday." }]);
    // Hours ago sending started; its job has since used up its attempts against a mail server that
    // was down (tests/updates.test.ts makes that happen for real). Here it is set up as it is then.
    const signatures = await db.signature.findMany({ where: { appealId: appeal.id }, select: { id: true } });
    await db.$transaction(async (tx) => {
      await tx.signerUpdate.update({ where: { id: updateId }, data: { status: "SENDING", sendStartedAt: new Date(Date.now() - 6 * 3_600_000), sentByName: organizer.name, recipients: 2 } });
      await tx.signerUpdateDelivery.createMany({ data: signatures.map((signature) => ({ updateId, signatureId: signature.id })) });
      await tx.$queryRaw`SELECT count(*) FROM graphile_worker.permanently_fail_jobs(
        ARRAY[(SELECT id FROM graphile_worker.add_job(${taskNames.sendSignerUpdate}::text, json_build_object('updateId', ${updateId}::text), queue_name => ${`signer-update:${updateId}`}::text, max_attempts => 12))],
        'connect ECONNREFUSED 192.0.2.25:587')`;
    });

    await page.goto(`/organize/appeals/${appeal.id}/updates`);
    await expect(page.getByRole("row", { name: /The hearing moved/ })).toContainText("Stopped0 of 2 sent, 0 failed");
    await page.getByRole("link", { name: "The hearing moved" }).click();
    await expect(page.getByRole("heading", { name: "Stopped", level: 2 })).toBeVisible();
    const stalled = page.getByTestId("update-stalled");
    await expect(stalled).toContainText("Sending has stopped: 2 signers are still waiting for this update.");
    await expect(stalled.locator("code")).toHaveText("connect ECONNREFUSED 192.0.2.25:587");
    await expectNoAccessibilityViolations(page);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: testInfo.outputPath(`update-stalled-${width}.png`), fullPage: true });
    }

    await page.getByRole("button", { name: "Resume sending" }).click();
    await expect(page.getByRole("status")).toHaveText("Sending resumed: the signers still waiting will get the update.");
    await expect(page.getByTestId("update-progress")).toHaveText("2 of 2 sent, 0 failed");
    await expect(page.getByRole("heading", { name: "Sent", level: 2 })).toBeVisible();
    for (const email of emails) await inbox.waitForMessage(email, "The hearing moved");
    for (const email of emails) expect((await inbox.messagesTo(email)).length, `${email} got it once`).toBe(1);
  });

  test("writes a draft, thinks better of it and deletes it: two presses, and the list says it is gone", async ({ page, context, db, appeal }, testInfo) => {
    await signInAs(context, db, "EDITOR");
    await page.goto(`/organize/appeals/${appeal.id}/updates`);
    await page.getByRole("button", { name: "Write an update" }).click();
    await page.getByLabel("Subject").fill("Not yet, after all");
    await page.getByLabel("Message").fill("A draft to throw away.");
    await page.getByRole("button", { name: "Save and preview" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved. Check the preview below.");

    // The button waits behind a first press that only opens the box.
    await expect(page.getByRole("button", { name: "Delete the draft" })).toBeHidden();
    await page.getByText("Delete this draft").click();
    await expect(page.getByText("Its texts are deleted. It has not been sent to anyone.")).toBeVisible();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: testInfo.outputPath("update-delete-390.png"), fullPage: true });
    await expectNoAccessibilityViolations(page);
    await page.getByRole("button", { name: "Delete the draft" }).click();

    await expect(page.getByRole("status")).toHaveText("The draft was deleted.");
    await expect(page.getByText("No updates yet.")).toBeVisible();
    expect(await db.signerUpdate.count({ where: { appealId: appeal.id } })).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: testInfo.outputPath("update-deleted-1280.png"), fullPage: true });
    await expectNoAccessibilityViolations(page);
  });
});
