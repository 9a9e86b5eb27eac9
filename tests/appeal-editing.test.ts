/**
 * Writing and running an appeal, against real Postgres: drafts, details and publisher, texts in
 * several languages, initial signatories, the lifecycle, the deadline job, and Markdown that
 * can carry no script.
 *
 *   node --import tsx --test tests/appeal-editing.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runOnce } from "graphile-worker";
import {
  createDraftAppeal,
  getAppealDetails,
  getSignatories,
  listAppealTexts,
  parseSignatoryLines,
  removeAppealText,
  saveAppealDetails,
  saveAppealText,
  saveSignatories,
  slugFromTitle,
} from "~/domain/appeal-editing";
import { changeAppealStatus } from "~/domain/appeal-lifecycle";
import { getPublicAppeal, listPublishedAppeals } from "~/domain/appeals";
import { listAuditEvents } from "~/domain/audit";
import { getSignatureCounts } from "~/domain/counts";
import { renderMarkdown } from "~/domain/markdown.server";
import type { SignedInOrganizer } from "~/domain/organizers";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createLogger } from "~/infra/logger.server";
import { createMailer } from "~/infra/mail/mailer.server";
import { taskNames } from "~/infra/queue/outbox.server";
import { queueLogger } from "~/infra/queue/worker.server";
import { createTaskList } from "~/jobs";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest, type TestDatabase } from "./support/database";
import { confirmationToken, deliverQueuedEmail, testPublicUrl, useInbox } from "./support/mail";

async function anOrganizer(t: TestDatabase): Promise<SignedInOrganizer> {
  return t.db.organizer.create({
    data: { email: "editor@example.org", emailCanonical: "editor@example.org", name: "Edda Editor", role: "EDITOR" },
    select: { id: true, name: true, email: true, role: true },
  });
}

const details = {
  slug: "keep-the-ferry",
  publishedOn: "2026-03-03",
  closesAt: "",
  signatureGoal: "1000",
  publisherName: "Harbour Residents",
  publisherAbout: "",
  publisherEmail: "hello@harbour.example",
  publisherWebsite: "harbour.example",
  supportUrl: "https://harbour.example/donate",
  moreInfoUrl: "",
  retentionMonths: "6",
  phones: [
    { label: "Press", number: "+44 20 7946 0001" },
    { label: "Office", number: "+44 20 7946 0002" },
    { label: "", number: "+44 20 7946 0003" },
    { label: "", number: "" },
  ],
};

describe("writing an appeal", () => {
  const t = useDatabasePerTest();

  test("a new draft gets a slug from its title, in Latin letters, unique; a typed slug already in use is refused", async () => {
    const organizer = await anOrganizer(t);
    assert.equal(slugFromTitle("Ашық хат: Қазақстандағы журналистер"), "ashyq-khat-qazaqstandagy-zhurnalister");
    assert.equal(slugFromTitle("Café & Crème: l’été 2026!"), "cafe-creme-l-ete-2026");

    const first = await createDraftAppeal(t.db, organizer, { locale: "en", title: "Keep the ferry", slug: "", publisherName: "Harbour Residents" });
    const second = await createDraftAppeal(t.db, organizer, { locale: "en", title: "Keep the ferry!", slug: "", publisherName: "Harbour Residents" });
    assert.ok(first.ok && second.ok);
    const slugs = await t.db.appeal.findMany({ select: { slug: true, status: true }, orderBy: { createdAt: "asc" } });
    assert.deepEqual(slugs, [
      { slug: "keep-the-ferry", status: "DRAFT" },
      { slug: "keep-the-ferry-2", status: "DRAFT" },
    ]);
    const taken = await createDraftAppeal(t.db, organizer, { locale: "en", title: "Other", slug: "keep-the-ferry", publisherName: "X" });
    assert.deepEqual(!taken.ok && taken.fieldErrors, { slug: { id: "errors.slugTaken" } });
    const bad = await createDraftAppeal(t.db, organizer, { locale: "english", title: "", slug: "Not A Slug!", publisherName: "" });
    assert.deepEqual(!bad.ok && Object.keys(bad.fieldErrors).sort(), ["locale", "publisherName", "title"]);
    assert.equal((await listAuditEvents(t.db, { limit: 5 })).events.filter((event) => event.action === "appeal.created").length, 2);
  });

  test("details and publisher: any number of labelled phones, web addresses made safe, field errors for bad values", async () => {
    const organizer = await anOrganizer(t);
    const created = await createDraftAppeal(t.db, organizer, { locale: "en", title: "Keep the ferry", slug: "", publisherName: "Harbour Residents" });
    assert.ok(created.ok);
    assert.deepEqual(await saveAppealDetails(t.db, created.id, details), { ok: true });
    const saved = await getAppealDetails(t.db, created.id);
    assert.deepEqual(saved?.phones, [
      { label: "Press", number: "+44 20 7946 0001" },
      { label: "Office", number: "+44 20 7946 0002" },
      { label: "", number: "+44 20 7946 0003" },
    ]);
    assert.equal(saved?.publisherWebsite, "https://harbour.example", "a bare domain becomes an https address");
    assert.equal(saved?.publishedOn, "2026-03-03");

    const refused = await saveAppealDetails(t.db, created.id, {
      ...details,
      slug: "Keep The Ferry",
      publisherEmail: "not an email",
      supportUrl: "javascript:alert(1)",
      signatureGoal: "-5",
      closesAt: "next week",
      phones: [{ label: "Press", number: "" }],
    });
    assert.ok(!refused.ok);
    assert.deepEqual(Object.keys(refused.fieldErrors).sort(), ["closesAt", "phones.0.number", "publisherEmail", "signatureGoal", "slug", "supportUrl"]);
    const capitals = await saveAppealDetails(t.db, created.id, { ...details, slug: "Keep-The-Ferry" });
    assert.deepEqual(capitals, { ok: true }, "capitals are lower-cased rather than refused");
    assert.equal((await getAppealDetails(t.db, created.id))?.slug, "keep-the-ferry");
  });

  test("editing a published appeal keeps its signatures and counts", async () => {
    const appeal = await createTestAppeal(t.db);
    const signed = validateSignature({ fullName: "Kept Signer", email: "kept@example.org", acceptPrivacy: "on", showPublicly: "on" });
    assert.ok(signed.ok);
    await signAppeal(t.db, appeal.id, signed.input, { locale: "en" });
    await t.db.$executeRaw`UPDATE "Signature" SET status = 'CONFIRMED', "confirmedAt" = now()`;
    await t.db.signatureCountShard.create({ data: { appealId: appeal.id, shard: 0, confirmed: 1, listed: 1 } });

    assert.deepEqual(await saveAppealDetails(t.db, appeal.id, { ...details, slug: appeal.slug }), { ok: true });
    assert.deepEqual(await saveAppealText(t.db, appeal.id, "en", { title: "A new title", summary: "", body: "New **text**.", isOriginal: "on" }), { ok: true });
    assert.deepEqual(await saveSignatories(t.db, appeal.id, [{ name: "Only One", role: "" }]), { ok: true });
    assert.equal(await t.db.signature.count({ where: { appealId: appeal.id } }), 1);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
    assert.equal((await getPublicAppeal(t.db, appeal.slug, "en"))?.title, "A new title");
  });

  test("texts in several languages: a translation is added, can become the original, and only translations can be removed", async () => {
    const organizer = await anOrganizer(t);
    const created = await createDraftAppeal(t.db, organizer, { locale: "kk", title: "Ашық хат", slug: "", publisherName: "Баспасөз бостандығы" });
    assert.ok(created.ok);
    assert.deepEqual(await saveAppealText(t.db, created.id, "kk", { title: "Ашық хат", summary: "", body: "Мәтін.", isOriginal: "on" }), { ok: true });
    assert.deepEqual(await saveAppealText(t.db, created.id, "en", { title: "Open letter", summary: "In English.", body: "Text.", isOriginal: "" }), { ok: true });
    assert.deepEqual(
      (await listAppealTexts(t.db, created.id))?.map(({ locale, isOriginal }) => [locale, isOriginal]),
      [
        ["kk", true],
        ["en", false],
      ],
    );
    assert.equal(await removeAppealText(t.db, created.id, "kk"), "original");
    const empty = await saveAppealText(t.db, created.id, "ru", { title: "", summary: "", body: "", isOriginal: "" });
    assert.deepEqual(!empty.ok && Object.keys(empty.fieldErrors).sort(), ["body", "title"]);
    assert.deepEqual(await saveAppealText(t.db, created.id, "en", { title: "Open letter", summary: "", body: "Text.", isOriginal: "on" }), { ok: true });
    assert.equal(await removeAppealText(t.db, created.id, "kk"), "removed");
    assert.deepEqual((await listAppealTexts(t.db, created.id))?.map((text) => text.locale), ["en"]);
  });

  test("initial signatories pasted as lines of “Name, role” become one signatory per line, in order", () => {
    const pasted = parseSignatoryLines(
      [
        "Jane Doe, journalist",
        "  Tomasz Wierzbicki, teacher, Aldermere Primary School  ",
        "",
        "1. Айгерім Бекова — редактор",
        "- Jean-Luc Moreau",
        "• Zoë O'Brien\tnovelist",
        ", a role without a name",
      ].join("\r\n"),
    );
    assert.deepEqual(pasted.signatories, [
      { name: "Jane Doe", role: "journalist" },
      { name: "Tomasz Wierzbicki", role: "teacher, Aldermere Primary School" },
      { name: "Айгерім Бекова", role: "редактор" },
      { name: "Jean-Luc Moreau", role: "" },
      { name: "Zoë O'Brien", role: "novelist" },
    ]);
    assert.deepEqual(pasted.problems, [{ line: 7, text: ", a role without a name" }]);
  });

  test("signatories are saved in the order given, replacing the list; a row without a name is refused", async () => {
    const appeal = await createTestAppeal(t.db);
    assert.deepEqual(await saveSignatories(t.db, appeal.id, [{ name: "B", role: "second" }, { name: "A", role: "" }]), { ok: true });
    assert.deepEqual(await getSignatories(t.db, appeal.id), [
      { name: "B", role: "second" },
      { name: "A", role: "" },
    ]);
    const refused = await saveSignatories(t.db, appeal.id, [{ name: "C", role: "" }, { name: " ", role: "orphan role" }]);
    assert.deepEqual(!refused.ok && Object.entries(refused.fieldErrors).map(([field, error]) => [field, error?.id]), [["signatories.1.name", "errors.signatoryNameRequired"]]);
    assert.equal((await getSignatories(t.db, appeal.id)).length, 2, "nothing changed");
  });
});

describe("an appeal's lifecycle", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  test("the archive lists past appeals by when they closed, the most recent first, whatever order they were published in", async () => {
    // Published in another order than they closed: the first published last.
    const appeals = [
      { publishedAt: "2026-05-06T10:00:00Z", closedAt: "2026-12-05T09:00:00Z" },
      { publishedAt: "2026-05-04T10:00:00Z", closedAt: "2026-12-07T09:00:00Z" },
      { publishedAt: "2026-05-05T10:00:00Z", closedAt: "2026-12-06T09:00:00Z" },
    ];
    const slugs: string[] = [];
    for (const { publishedAt, closedAt } of appeals) {
      const appeal = await createTestAppeal(t.db, { publishedAt: new Date(publishedAt) });
      await t.db.appeal.update({ where: { id: appeal.id }, data: { status: "CLOSED", closedAt: new Date(closedAt) } });
      slugs.push(appeal.slug);
    }
    const archive = await listPublishedAppeals(t.db, "en", "past");
    assert.deepEqual(
      archive.map((appeal) => appeal.slug),
      [slugs[1], slugs[2], slugs[0]],
    );
  });

  test("draft → published → closed → reopened → closed → archived, each step once, each audited; publishing needs a text", async () => {
    const organizer = await anOrganizer(t);
    const created = await createDraftAppeal(t.db, organizer, { locale: "en", title: "Keep the ferry", slug: "", publisherName: "Harbour Residents" });
    assert.ok(created.ok);
    assert.equal(await getPublicAppeal(t.db, "keep-the-ferry", "en"), null, "a draft is not public");
    assert.deepEqual(await changeAppealStatus(t.db, organizer, created.id, "publish"), { ok: false, problem: "incomplete" });
    await saveAppealText(t.db, created.id, "en", { title: "Keep the ferry", summary: "", body: "Please.", isOriginal: "on" });
    assert.deepEqual(await changeAppealStatus(t.db, organizer, created.id, "close"), { ok: false, problem: "wrongState" });
    assert.deepEqual(await changeAppealStatus(t.db, organizer, created.id, "publish"), { ok: true });
    const published = await t.db.appeal.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(published.status, "PUBLISHED");
    assert.ok(published.publishedAt, "the date is set when publishing");
    assert.ok((await getPublicAppeal(t.db, "keep-the-ferry", "en"))?.acceptsSignatures);
    for (const action of ["close", "reopen", "close", "archive"] as const) {
      assert.deepEqual(await changeAppealStatus(t.db, organizer, created.id, action), { ok: true }, action);
    }
    const archived = await getPublicAppeal(t.db, "keep-the-ferry", "en");
    assert.equal(archived?.status, "ARCHIVED");
    assert.equal(archived?.acceptsSignatures, false);
    const actions = (await listAuditEvents(t.db, { limit: 20 })).events.map((event) => event.action).reverse();
    assert.deepEqual(actions, ["appeal.created", "appeal.published", "appeal.closed", "appeal.reopened", "appeal.closed", "appeal.archived"]);
  });

  test("a deadline in the past closes the appeal by the scheduled job, with no visitor request", async () => {
    const organizer = await anOrganizer(t);
    const appeal = await createTestAppeal(t.db, { closesAt: new Date(Date.now() - 60_000) });
    const open = await createTestAppeal(t.db, { closesAt: new Date(Date.now() + 3_600_000) });
    // The worker's scheduler enqueues this job every minute; here it is enqueued once and run.
    await t.db.$executeRaw`SELECT graphile_worker.add_job(${taskNames.closeAppealsAtDeadline}::text, '{}'::json)`;
    const log = createLogger("silent");
    const mailer = createMailer({ smtpUrl: "smtp://127.0.0.1:9", from: "x <x@example.org>" });
    await runOnce({ connectionString: t.url, taskList: createTaskList({ db: t.db, mailer, publicUrl: testPublicUrl, log, networkAddressRetentionDays: 30 }), logger: queueLogger(log) });
    mailer.close();

    const closed = await t.db.appeal.findUniqueOrThrow({ where: { id: appeal.id } });
    assert.equal(closed.status, "CLOSED");
    assert.equal(closed.closedAt?.getTime(), closed.closesAt?.getTime(), "closed as of its deadline");
    assert.equal((await t.db.appeal.findUniqueOrThrow({ where: { id: open.id } })).status, "PUBLISHED");
    const entry = (await listAuditEvents(t.db, { limit: 5 })).events.find((event) => event.action === "appeal.closed");
    assert.equal(entry?.actorName, "scheduled job");
    assert.ok(organizer);
  });

  test("a signature made before closing can be confirmed for 24 hours after, not later", async () => {
    const organizer = await anOrganizer(t);
    const appeal = await createTestAppeal(t.db);
    const sign = async (email: string) => {
      const validated = validateSignature({ fullName: "Late Confirmer", email, acceptPrivacy: "on" });
      assert.ok(validated.ok);
      await signAppeal(t.db, appeal.id, validated.input, { locale: "en" });
    };
    await sign("within@example.org");
    await sign("after@example.org");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const tokenFor = async (email: string) => confirmationToken((await inbox.messages()).find((message) => message.to === email)!);
    const [within, after] = [await tokenFor("within@example.org"), await tokenFor("after@example.org")];

    assert.deepEqual(await changeAppealStatus(t.db, organizer, appeal.id, "close"), { ok: true });
    assert.equal((await confirmSignature(t.db, within, "en"))?.confirmed, true, "an hour after closing it still counts");

    await t.db.$executeRaw`UPDATE "Appeal" SET "closedAt" = now() - interval '25 hours' WHERE id = ${appeal.id}::uuid`;
    const late = await confirmSignature(t.db, after, "en");
    assert.equal(late?.confirmed, false);
    assert.equal(late?.tooLateToConfirm, true);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 0 });
  });
});

describe("Markdown in an appeal's text", () => {
  test("raw HTML, event handlers and javascript: links are shown inert; links to other sites carry no referrer", () => {
    const html = renderMarkdown(
      [
        "Hello <script>alert('x')</script>",
        "",
        '<img src=x onerror="alert(1)">',
        "",
        "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox)",
        "",
        "[site](https://example.org) ![tracker](https://tracker.example/pixel.png)",
        "",
        "# Heading",
      ].join("\n"),
    );
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /href="(javascript|data|vbscript):/i);
    assert.match(html, /&lt;script&gt;alert\('x'\)&lt;\/script&gt;/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
    assert.match(html, /<a href="https:\/\/example.org" rel="noopener noreferrer nofollow">site<\/a>/);
    assert.match(html, /<h2>Heading<\/h2>/, "the page title is the only h1");
  });
});
