/**
 * The interface in English, Russian and Kazakh: every message in every language (with the
 * English one's placeholders), the language worked out from ?lang=, the cookie and
 * Accept-Language (with the reader's region kept), and no English left on any page a Russian
 * or Kazakh reader opens — public or organizer — including the emails a signer receives.
 *
 *   npm run build && node --import tsx --test tests/languages.test.ts
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { issueFormToken } from "~/domain/form-timing.server";
import { recordAudit } from "~/domain/audit";
import { startSession } from "~/domain/organizer-sessions";
import type { MessageId } from "~/i18n/i18n";
import { catalogFor, createTranslator, messagesFor, supportedLocales } from "~/i18n/languages.server";
import { en } from "~/i18n/messages.en";
import { sessionCookieName } from "~/infra/session-cookie.server";
import { createTestAppeal } from "./support/appeals";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { confirmationToken, runQueuedJobs, startTestInbox, type TestInbox } from "./support/mail";
import { builtProcesses } from "./support/processes";

const secret = "languages-secret-0123456789abcdef01234567";
const otherLanguages = supportedLocales.filter((locale) => locale !== "en");
let database: TestDatabase;
let inbox: TestInbox;
let baseUrl: string;
const apps = builtProcesses();

before(async () => {
  database = await createTestDatabase();
  inbox = await startTestInbox();
  // The page cache stays on: a stored page must never reach a reader of another language.
  const { port } = await apps.start("server", {
    DATABASE_URL: database.url,
    RUN_WORKER: "false",
    NODE_ENV: "test",
    SESSION_SECRET: secret,
    SIGN_MIN_FILL_SECONDS: "0",
    PAGE_CACHE_SECONDS: "10",
  });
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await apps.stopAll();
  await inbox.stop();
  await database.drop();
});

/** Arguments, tags and plural variables a message uses, and the categories of each plural. */
function shapeOf(elements: MessageFormatElement[], names = new Set<string>(), plurals: { name: string; categories: string[] }[] = []) {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    if (element.type === TYPE.tag) {
      names.add(`<${element.value}>`);
      shapeOf(element.children, names, plurals);
      continue;
    }
    names.add(element.value);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      if (element.type === TYPE.plural) plurals.push({ name: element.value, categories: Object.keys(element.options) });
      for (const option of Object.values(element.options)) shapeOf(option.value, names, plurals);
    }
  }
  return { names: [...names].sort(), plurals };
}

/** The words of a message a reader would see, in runs long enough to be telling. */
function literalRuns(elements: MessageFormatElement[], runs: string[] = []): string[] {
  for (const element of elements) {
    if (element.type === TYPE.literal) runs.push(...element.value.split(/[.:;!?“”"()]/).map((run) => run.trim()));
    if (element.type === TYPE.tag) literalRuns(element.children, runs);
    if (element.type === TYPE.plural || element.type === TYPE.select) for (const option of Object.values(element.options)) literalRuns(option.value, runs);
  }
  return runs.filter((run) => run.length >= 14 && run.includes(" "));
}

/** What a reader sees or hears of a page: its text and labels, without scripts, styles and tags. */
function visibleText(html: string): string {
  const labels = [...html.matchAll(/\s(?:aria-label|title|alt|placeholder)="([^"]*)"/g)].map((match) => match[1]).join(" | ");
  return `${labels} | ${html}`
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&nbsp;|\s+/g, " ");
}

describe("the catalogs", () => {
  test("every language has every message, with the English one's placeholders and its own plural forms", () => {
    const required: Record<string, string[]> = {
      ru: ["one", "few", "many", "other"],
      kk: ["one", "other"],
    };
    for (const locale of otherLanguages) {
      const messages = catalogFor(locale);
      assert.deepEqual(Object.keys(messagesFor(locale)), Object.keys(en), `${locale}: every message compiles for the browser`);
      assert.deepEqual(Object.keys(messages), Object.keys(en), `${locale}: the same messages as English, in the same order`);
      for (const id of Object.keys(en) as MessageId[]) {
        const english = shapeOf(parse(en[id]));
        const translated = shapeOf(parse(messages[id]));
        assert.deepEqual(translated.names, english.names, `${locale} ${id}: the same placeholders and tags`);
        translated.plurals.forEach((plural, index) => {
          // A plural whose English says "one" must say each of the language's forms.
          if (!english.plurals[index]?.categories.includes("one")) return;
          for (const category of required[locale] ?? ["other"]) assert.ok(plural.categories.includes(category), `${locale} ${id}: plural {${plural.name}} has "${category}"`);
        });
      }
    }
  });

  test("plural forms come out right for each language", () => {
    const count = (locale: string, n: number) => createTranslator(locale).t("appeal.countLabel", { count: n });
    assert.deepEqual([1, 2, 5, 21].map((n) => count("en", n)), ["signature", "signatures", "signatures", "signatures"]);
    assert.deepEqual([1, 2, 5, 21, 22, 11].map((n) => count("ru", n)), ["подпись", "подписи", "подписей", "подпись", "подписи", "подписей"]);
    assert.deepEqual([1, 5].map((n) => count("kk", n)), ["қолтаңба", "қолтаңба"]);
  });

  test("a Russian sentence ending on a date ends with the year's own full stop, not two", () => {
    const { t } = createTranslator("ru");
    // As the pages format a long date in Russian (i18n/react.tsx keeps "г." with its year).
    const since = "25 ноября 2026\u00a0г.";
    assert.equal(t("privacy.version", { version: "2026-11-25", date: since }), "Версия 2026-11-25, действует с 25 ноября 2026\u00a0г.");
    assert.match(t("confirm.tooLateBody", { title: "Т", date: since }), /2026\u00a0г\. Подписи/);
  });
});

describe("the reader's language", () => {
  test("Accept-Language picks the interface language and keeps the reader's region for dates", async () => {
    const appeal = await createTestAppeal(database.db); // published 4 May 2026, English only
    const page = async (acceptLanguage: string) => {
      const response = await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { "Accept-Language": acceptLanguage } });
      assert.equal(response.status, 200);
      return response.text();
    };
    const british = await page("en-GB,en;q=0.9");
    assert.match(british, /<html lang="en-GB"/);
    assert.match(visibleText(british), /4 May 2026/, "British English writes the day first");
    assert.match(visibleText(await page("en-US,en;q=0.9")), /May 4, 2026/);
    const kazakh = await page("kk-KZ,kk;q=0.9,ru;q=0.8");
    assert.match(kazakh, /<html lang="kk-KZ"/);
    assert.ok(visibleText(kazakh).includes(createTranslator("kk").t("signForm.heading")));
    assert.match(await page("de-DE,de;q=0.9,ru;q=0.5"), /<html lang="ru"/, "the best language the reader reads");
    const image = await fetch(`${baseUrl}/appeals/${appeal.slug}/share.png?lang=kk`, { headers: { Accept: "image/avif,image/webp,*/*" } });
    assert.equal(image.headers.getSetCookie().length, 0, "a ?lang= image fetched by a crawler sets no cookie");
    assert.match(await page("de-DE,fr;q=0.5"), /<html lang="en"/, "English when nothing matches");
    assert.match(await page("*;q=0.1, junk!!, ru;q=abc"), /<html lang="(en|ru)"/, "junk in the header is no error");
  });

  test("a Russian reader switches to the English text; the choice sticks, and does not leak to others", async () => {
    const appeal = await createTestAppeal(database.db, {
      defaultLocale: "ru",
      translations: [
        { locale: "ru", title: "Сделайте улицу Вязов школьной", body: "Мы просим закрыть улицу для транзита." },
        { locale: "en", title: "Make Elm Road a school street", body: "We ask the council to close Elm Road." },
        { locale: "de", title: "Macht die Ulmenstraße zur Schulstraße", body: "Wir bitten den Rat, die Straße zu sperren." },
      ],
    });
    const russian = { "Accept-Language": "ru-RU,ru;q=0.9", Accept: "text/html" }; // as a browser opening a page
    const first = await (await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: russian })).text();
    assert.match(first, /<h1 id="appeal-title" lang="ru">Сделайте улицу Вязов школьной<\/h1>/);
    assert.match(first, /hrefLang="en" href="[^"]*\/appeals\/[^"?]+\?lang=en"/i, "the English text is announced as an alternate");

    const switched = await fetch(`${baseUrl}/appeals/${appeal.slug}?lang=en`, { headers: russian });
    const cookie = switched.headers.getSetCookie().find((line) => line.startsWith("lang="));
    assert.ok(cookie, "the choice is remembered");
    assert.match(cookie, /HttpOnly/i);
    const switchedPage = await switched.text();
    assert.match(switchedPage, /<h1 id="appeal-title" lang="en">Make Elm Road a school street<\/h1>/);
    assert.match(switchedPage, /<html lang="en"/, "the interface follows the choice");

    const later = await (await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { ...russian, cookie: cookie.split(";")[0]! } })).text();
    assert.match(later, /<h1 id="appeal-title" lang="en">Make Elm Road a school street<\/h1>/, "the next visit keeps the English text");

    // German has a text but no interface: the reader gets the German text in a Russian interface.
    const german = await fetch(`${baseUrl}/appeals/${appeal.slug}?lang=de`, { headers: russian });
    const germanCookie = german.headers.getSetCookie().find((line) => line.startsWith("lang="))!.split(";")[0]!;
    await german.text();
    const germanLater = await (await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: { ...russian, cookie: germanCookie } })).text();
    assert.match(germanLater, /<html lang="ru-RU"/);
    assert.match(germanLater, /<h1 id="appeal-title" lang="de">Macht die Ulmenstraße zur Schulstraße<\/h1>/);
    const someoneElse = await (await fetch(`${baseUrl}/appeals/${appeal.slug}`, { headers: russian })).text();
    assert.match(someoneElse, /<h1 id="appeal-title" lang="ru">/, "another Russian reader still gets Russian (no stored page crosses over)");
  });

  test("a Kazakh visitor signs in Kazakh and gets the email and the confirmation page in Kazakh", async () => {
    const appeal = await createTestAppeal(database.db, {
      defaultLocale: "kk",
      translations: [{ locale: "kk", title: "Мектеп көшесі үшін үндеу", body: "Көшені жабуды сұраймыз." }],
    });
    const kazakh = { "Accept-Language": "kk", "Sec-Fetch-Site": "same-origin" };
    const form = new URLSearchParams({ fullName: "Айгүл Сәрсенова", email: "aigul@example.kz", acceptPrivacy: "on", formIssuedAt: issueFormToken(secret, Date.now() - 10_000) });
    const signed = await fetch(`${baseUrl}/appeals/${appeal.slug}?index`, { method: "POST", redirect: "manual", headers: kazakh, body: form });
    assert.equal(signed.status, 303);
    const thanks = await (await fetch(new URL(signed.headers.get("location")!, baseUrl), { headers: kazakh })).text();
    assert.match(thanks, /<html lang="kk"/);

    await runQueuedJobs({ databaseUrl: database.url, db: database.db, smtpUrl: inbox.url });
    const message = (await inbox.messages()).find((candidate) => candidate.to.includes("aigul@example.kz"));
    assert.ok(message, "the confirmation email arrived through SMTP");
    const { t } = createTranslator("kk");
    assert.equal(message.subject, t("email.confirm.subject", { title: "Мектеп көшесі үшін үндеу" }));
    assert.ok(message.text.includes(t("email.confirm.ignore")), "the body is in Kazakh");
    assert.match(message.html ?? "", /<html lang="kk"/);

    // Opened on another device whose browser asks for English, the link still speaks Kazakh.
    const link = /https?:\/\/\S+\/confirm\/\S+/.exec(message.text)![0];
    const path = new URL(link).pathname + new URL(link).search;
    assert.ok(path.includes(confirmationToken(message)));
    const confirmPage = await (await fetch(`${baseUrl}${path}`, { headers: { "Accept-Language": "en" } })).text();
    assert.match(confirmPage, /<html lang="kk"/);
  });
});

describe("no English left for Russian and Kazakh readers", () => {
  test("public and organizer pages show none of the English interface text", async () => {
    const appeal = await createTestAppeal(database.db, {
      defaultLocale: "ru",
      translations: [{ locale: "ru", title: "Обращение о школьной улице", summary: "Коротко о главном.", body: "Мы просим закрыть улицу." }],
      publisher: { name: "Инициативная группа", email: "group@example.kz", about: null, website: null, phones: [], moreInfoUrl: null, supportUrl: null },
      authors: [{ name: "Пётр Иванов", role: "учитель" }],
    });
    const email = `owner-${Math.random().toString(36).slice(2)}@organizers.example`;
    const organizer = await database.db.organizer.create({ data: { email, emailCanonical: email, name: "Ольга", role: "OWNER" } });
    const { token } = await startSession(database.db, organizer.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
    const organizerCookie = `${sessionCookieName({ secure: false })}=${token}`;

    const publicPages = ["/", "/archive", `/appeals/${appeal.slug}`, `/appeals/${appeal.slug}/signers`, `/appeals/${appeal.slug}/thanks`, "/privacy", "/imprint", "/sign-in", "/forgot-password", "/no-such-page"];
    const organizerPages = [
      "/organize",
      "/organize/appeals/new",
      "/organize/audit",
      "/organize/organizers",
      "/organize/block-list",
      ...["", "/details", "/texts", "/signatories", "/attachments", "/protection", "/preview", "/signatures", "/dashboard", "/export", "/updates", "/paper"].map((tab) => `/organize/appeals/${appeal.id}${tab}`),
    ];
    const englishRuns = new Map<string, MessageId>();
    for (const id of Object.keys(en) as MessageId[]) for (const run of literalRuns(parse(en[id]))) englishRuns.set(run, id);

    for (const locale of otherLanguages) {
      const translated = catalogFor(locale);
      // A translation may keep an example as it is (“troll@example”), but not the whole English message.
      const keptOnPurpose = (run: string, id: MessageId) => translated[id] !== en[id] && translated[id].includes(run);
      for (const [pages, cookie] of [[publicPages, `lang=${locale}`], [organizerPages, `lang=${locale}; ${organizerCookie}`]] as const) {
        for (const path of pages) {
          const response = await fetch(`${baseUrl}${path}`, { headers: { cookie, "Accept-Language": "en" } });
          assert.ok(response.status === 200 || path === "/no-such-page", `${locale} ${path}: ${response.status}`);
          const text = visibleText(await response.text());
          const leftovers = [...englishRuns].filter(([run, id]) => text.includes(run) && !keptOnPurpose(run, id)).map(([run, id]) => `${id}: “${run}”`);
          assert.deepEqual(leftovers, [], `${locale} ${path} shows English`);
        }
      }
    }
  });
  test("the audit log names what happened, who and the details in the reader's language", async () => {
    const appeal = await createTestAppeal(database.db, { slug: `audit-${Math.random().toString(36).slice(2, 8)}` });
    const email = `auditor-${Math.random().toString(36).slice(2)}@organizers.example`;
    const owner = await database.db.organizer.create({ data: { email, emailCanonical: email, name: "Ольга", role: "OWNER" } });
    const { token } = await startSession(database.db, owner.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
    const actor = { id: owner.id, name: owner.name, email };
    await recordAudit(database.db, { actor: { system: "command line" }, action: "organizer.created", subject: email, details: { role: "OWNER" } });
    await recordAudit(database.db, { actor, action: "export.csv", appealId: appeal.id, subject: appeal.slug, details: { format: "csv", scope: "listed", bom: true, rows: 12 } });
    await recordAudit(database.db, { actor, action: "update.test-sent", appealId: appeal.id, subject: appeal.slug, details: { updateId: "0e7c1c52-6a39-4c1e-9d0e-0c1f4e5b6a70", to: email } });
    const read = async (locale: string) => {
      const response = await fetch(`${baseUrl}/organize/audit`, { headers: { cookie: `lang=${locale}; ${sessionCookieName({ secure: false })}=${token}` } });
      assert.equal(response.status, 200);
      return visibleText(await response.text()).replace(/\s+/g, " ");
    };
    const russian = await read("ru");
    for (const expected of ["Организатор создан", "командная строка", "роль: владелец", "Подписи выгружены (CSV)", "выборка: Только те, что в публичном списке", "метка BOM: да", "Тестовое письмо с новостью отправлено", `кому: ${email}`]) {
      assert.ok(russian.includes(expected), `the Russian audit log says “${expected}”`);
    }
    for (const stored of ["organizer.created", "export.csv", "command line", "scope:", "OWNER", "updateId"]) assert.ok(!russian.includes(stored), `no stored “${stored}” for a Russian reader`);
    const kazakh = await read("kk");
    for (const expected of ["Ұйымдастырушы қосылды", "пәрмен жолы", "рөлі: иесі"]) assert.ok(kazakh.includes(expected), `the Kazakh audit log says “${expected}”`);
  });
});
