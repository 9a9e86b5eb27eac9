import { randomBytes } from "node:crypto";
import { createTestAppeal } from "../tests/support/appeals";
import { expect, signInAs, test } from "./support/fixtures";

/**
 * Real lists hold long words: a German double-barrelled surname, an organisation's long email
 * address, an IPv6 range on the block list, a link pasted into an appeal's text. None of them may
 * push a page sideways, on a phone or a desktop: each breaks inside its cell or card.
 */
test.describe("Long words fit the page", () => {
  test("an appeal's text, the dashboard, the signatures, the organizers and the block list never scroll sideways", async ({ page, context, db }) => {
    const suffix = randomBytes(4).toString("hex");
    const longLink = `https://quiet-streets.example/campaigns/elm-road/documents/2026/council-meeting-minutes-and-the-full-traffic-survey-${suffix}`;
    const appeal = await createTestAppeal(db, {
      translations: [
        {
          locale: "en",
          title: `Make Elm Road a school street (${suffix})`,
          summary: null,
          body: `Read the survey: ${longLink}\n\nSigned for the Donaudampfschifffahrtsgesellschaftskapitänsvereinigung.`,
        },
      ],
    });
    const surname = "Wolfeschlegelsteinhausenbergerdorff";
    await db.signature.create({
      data: {
        appealId: appeal.id,
        fullName: `Maximilian-Alexander ${surname}`,
        email: `maximilian.alexander.${surname.toLowerCase()}@example.org`,
        emailCanonical: `maximilian.alexander.${surname.toLowerCase()}@example.org`,
        role: "Vorsitzender der Anwohnerinitiative",
        country: "DE",
        status: "CONFIRMED",
        confirmedAt: new Date(),
        showPublicly: true,
      },
    });
    await db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: 1, listed: 1 } });
    // Site-wide lists: values no other journey signs from or looks for.
    await db.organizer.create({
      data: { email: `campaigns.and.communications.${suffix}@a-very-long-organisation-name.example`, emailCanonical: `campaigns.and.communications.${suffix}@a-very-long-organisation-name.example`, name: `Long Address ${suffix}`, role: "EDITOR" },
    });
    await db.blockedSigner.createMany({
      data: [
        { kind: "EMAIL", value: `someone.with.a.very.long.address.indeed.${suffix}@long-words.example`, note: "A throwaway address" },
        { kind: "NETWORK", value: `2001:db8:abcd:${parseInt(suffix.slice(0, 4), 16).toString(16)}:0000:0000:0000:0000/64`, note: null },
      ],
    });
    await signInAs(context, db, "OWNER");

    const pages = [
      `/appeals/${appeal.slug}`,
      `/appeals/${appeal.slug}/signers`,
      `/organize/appeals/${appeal.id}/dashboard`,
      `/organize/appeals/${appeal.id}/signatures`,
      `/organize/appeals/${appeal.id}/preview`,
      "/organize/organizers",
      "/organize/block-list",
    ];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of pages) {
        await page.goto(path);
        const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(pageWidth, `${path} at ${width} px scrolls sideways`).toBeLessThanOrEqual(width);
        // On a wide screen a long word would rather run into the next column than off the page: no card's content may pass its edge.
        const spilling = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>(".card")].filter((card) => card.scrollWidth > card.clientWidth + 1).map((card) => card.className),
        );
        expect(spilling, `${path} at ${width} px: cards whose content runs past their edge`).toEqual([]);
      }
    }
  });
});
