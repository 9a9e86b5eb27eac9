import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "~/infra/db.server";
import { processUpload } from "~/infra/uploads.server";
import { addAttachment } from "./attachments";
import { createAppeal, type NewAppeal } from "./appeals";

/**
 * The appeal a fresh install shows, so that the whole journey can be tried at once.
 * Every person, place and organisation in it is invented.
 */
export const demoAppeal: NewAppeal = {
  slug: "keep-aldermere-library-open",
  status: "PUBLISHED",
  defaultLocale: "en",
  publishedAt: new Date("2026-03-03T09:00:00Z"),
  signatureGoal: 1000,
  publisher: {
    name: "Friends of Aldermere Library",
    email: "letters@friends-of-aldermere.example",
    about: "A volunteer group of readers who have supported Aldermere Public Library since 1987.",
    website: "https://friends-of-aldermere.example",
    phones: [
      { label: "Office", number: "+44 20 7946 0018" },
      { label: "Press", number: "+44 20 7946 0019" },
    ],
    moreInfoUrl: "https://friends-of-aldermere.example/library-letter",
    supportUrl: "https://friends-of-aldermere.example/donate",
  },
  translations: [
    {
      locale: "en",
      title: "Open letter: keep Aldermere Library open six days a week",
      summary:
        "Readers, teachers and librarians ask the Aldermere town council to withdraw its plan to open the public library two days a week.",
      body: [
        "To the members of Aldermere Town Council,",
        "We are writing to you as readers, parents, teachers, pensioners and librarians who use Aldermere Public Library every week. Your draft budget proposes to open the library on Tuesdays and Saturdays only from September. We ask you to withdraw that proposal and keep the library open six days a week.",
        "The library is the only place in Aldermere where anyone can sit in the warm, read a newspaper, print a job application or use a computer without paying. Last year it lent 84,000 books, hosted 312 homework club sessions and helped 1,900 people with online forms they could not complete alone. None of this fits into two days.",
        "We understand that the council must save money. We have studied the budget and we propose three savings that together cover the cost of keeping the library open: sharing the building's heating contract with the neighbouring health centre, moving the mobile library to a smaller van, and letting the Friends of the Library run the Sunday book sale.",
        "A library that is closed most of the week stops being a habit, and a library that is no longer a habit is soon closed for good. We ask you to meet with us before the budget vote on 14 April and to keep Aldermere Library open to everyone.",
        "Yours sincerely,\nThe undersigned",
      ].join("\n\n"),
    },
  ],
  authors: [
    { name: "Marguerite Okonkwo-Hale", role: "retired head librarian" },
    { name: "Tomasz Wierzbicki", role: "teacher, Aldermere Primary School" },
    { name: "Aisha Rahmani", role: "chair, Riverside Residents’ Association" },
    { name: "Eilidh MacPhail", role: "novelist" },
    { name: "Kwame Asante-Boateng", role: "volunteer, homework club" },
    { name: "Ingrid Solberg", role: "GP, Aldermere Health Centre" },
    { name: "Jasper Llewellyn", role: "student" },
  ],
};

/** The photographed page of the demo letter, stored like any upload. */
const demoPage = {
  file: "public/demo/letter-page-1.svg",
  altText: "First page of the signed letter, typed on the Friends of Aldermere Library letterhead.",
  caption: "Page 1 of the letter as delivered to the town hall on 3 March 2026.",
  credit: "Scan: Friends of Aldermere Library",
};

/** Adds the demo appeal to an empty database, so a fresh install has something to show. */
export async function seedDemoAppealIfEmpty(db: Database): Promise<boolean> {
  if ((await db.appeal.count()) > 0) return false;
  await addDemoAppeal(db);
  return true;
}

/** The demo appeal with its page scan (under another slug, for tests). */
export async function addDemoAppeal(db: Database, slug = demoAppeal.slug): Promise<{ id: string; slug: string }> {
  const created = await createAppeal(db, { ...demoAppeal, slug });
  // A file of our own, so the one place an SVG is accepted (organizers upload JPEG, PNG, WebP or PDF).
  const upload = await processUpload(await readFile(path.resolve(demoPage.file)), { allowSvg: true });
  await addAttachment(db, created.id, upload, { ...demoPage, fileName: "letter-page-1" });
  return created;
}
