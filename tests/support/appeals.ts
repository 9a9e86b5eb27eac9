import { randomBytes } from "node:crypto";
import { createAppeal, type NewAppeal } from "~/domain/appeals";
import type { Database } from "~/infra/db.server";

/** A published appeal of its own for each test, so tests never see each other's signatures. */
export async function createTestAppeal(db: Database, overrides: Partial<NewAppeal> = {}) {
  const slug = `test-appeal-${randomBytes(5).toString("hex")}`;
  const appeal: NewAppeal = {
    slug,
    status: "PUBLISHED",
    signatureGoal: 100,
    publishedAt: new Date("2026-05-04T10:00:00Z"),
    publisher: {
      name: "Campaign for Quiet Streets",
      email: "hello@quiet-streets.example",
      about: null,
      website: null,
      phones: [{ label: null, number: "+44 20 7946 0999" }],
      moreInfoUrl: "https://quiet-streets.example/about",
      supportUrl: "https://quiet-streets.example/donate",
    },
    translations: [
      {
        locale: "en",
        title: `Make Elm Road a school street (${slug})`,
        summary: "Close Elm Road to through traffic at school times.",
        body: "We ask the council to close Elm Road to through traffic.\n\nChildren deserve clean air.",
      },
    ],
    authors: [
      { name: "Petra Lindqvist", role: "parent" },
      { name: "Oluwaseun Adeyemi", role: "head teacher" },
    ],
    ...overrides,
  };
  const created = await createAppeal(db, appeal);
  return { ...created, title: appeal.translations[0]?.title ?? slug };
}
