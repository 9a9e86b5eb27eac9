import { createHash } from "node:crypto";
import { match } from "@formatjs/intl-localematcher";
import { compileMessage } from "./compile-messages.server";
import { defaultLocale, languageOf, translatorFrom, type CompiledMessages, type MessageId, type Messages, type Translator } from "./i18n";
import { en } from "./messages.en";
import { kk } from "./messages.kk";
import { ru } from "./messages.ru";
import { registerMessagesVersion } from "./public-messages";

/**
 * The interface's languages. Adding one is a messages.<code>.ts file (typed as Messages, so a
 * missing string fails the type check; its "site.languageName" names it in the switcher) and
 * one line here.
 */
const catalogs: Record<string, Messages> = { en, ru, kk };
export const supportedLocales = Object.keys(catalogs);

/** The languages to offer in the switcher, each named in itself. */
export const interfaceLanguages = supportedLocales.map((code) => ({ code, name: catalogs[code]!["site.languageName"] }));

/** A language's messages as written, ICU MessageFormat text (the catalog tests read them). */
export function catalogFor(locale: string): Messages {
  return catalogs[languageOf(locale)] ?? en;
}

const compiledCatalogs = new Map<string, CompiledMessages>();

/** The catalog a reader's locale reads: its language's, or English. */
function catalogLanguage(locale: string): string {
  return catalogs[languageOf(locale)] ? languageOf(locale) : defaultLocale;
}

/**
 * Messages for a language or a regional variant of it ("en-GB" reads the English ones), parsed
 * once per language for message-format.ts.
 */
export function messagesFor(locale: string): CompiledMessages {
  const language = catalogLanguage(locale);
  let compiled = compiledCatalogs.get(language);
  if (!compiled) {
    compiled = Object.fromEntries(
      Object.entries(catalogs[language]!).map(([id, text]) => [id, compileMessage(id, text, language)]),
    ) as Record<MessageId, CompiledMessages[MessageId]>;
    compiledCatalogs.set(language, compiled);
  }
  return compiled;
}

/**
 * Which messages travel with which pages. Public pages get the public ones with the root's data;
 * the organizer area's layout (routes/organize.tsx) adds its own; emails' never leave the server.
 * Half the catalog is the organizer area's: a reader's page need not carry it (it cost every
 * page about 11 KB gzip and its encoding a third of the server's time for a confirmation).
 */
const organizerNamespaces = new Set([
  "attachments", "audit", "blockList", "dashboard", "details", "export", "moderation", "newAppeal", "organize", "organizers",
  "overview", "paper", "preview", "protection", "signatories", "texts", "updates",
]);
const serverNamespaces = new Set(["email"]);
/**
 * Pages whose long text only they show: the privacy notice and the imprint (about a fifth of the
 * public messages), and the dev mailbox, which production never serves. Their loaders send these
 * with the page, so the script every public page loads does not carry them.
 */
const pageNamespaces: Record<string, MessageArea> = { privacy: "notices", imprint: "notices", mailbox: "devMailbox" };

export type MessageArea = "public" | "organizer" | "notices" | "devMailbox";

function areaOf(id: string): MessageArea | "server" {
  const namespace = id.slice(0, id.indexOf("."));
  if (serverNamespaces.has(namespace)) return "server";
  if (organizerNamespaces.has(namespace)) return "organizer";
  return Object.hasOwn(pageNamespaces, namespace) ? pageNamespaces[namespace]! : "public";
}

const areaMessages = new Map<string, CompiledMessages>();

/** The messages of one area of the site, for the browser (see organizerNamespaces). */
export function messagesOfArea(locale: string, area: MessageArea): CompiledMessages {
  const key = `${catalogLanguage(locale)}|${area}`;
  let messages = areaMessages.get(key);
  if (!messages) {
    messages = Object.fromEntries(Object.entries(messagesFor(locale)).filter(([id]) => areaOf(id) === area));
    areaMessages.set(key, messages);
  }
  return messages;
}

export type MessagesScript = { version: string; path: string; body: string };

const messagesScripts = new Map<string, MessagesScript>();

/**
 * The script that gives a browser the public messages of a reader's language
 * (public-messages.ts); its path names its content, so browsers may keep it for good.
 */
export function publicMessagesScript(locale: string): MessagesScript {
  const language = catalogLanguage(locale);
  let script = messagesScripts.get(language);
  if (!script) {
    const messages = messagesOfArea(language, "public");
    const json = JSON.stringify(messages);
    const version = `${language}.${createHash("sha256").update(json).digest("base64url").slice(0, 12)}`;
    // JSON is JavaScript; "<" is escaped anyway, as for any script that might be inlined one day.
    const body = `window.__undersignMessages={"version":${JSON.stringify(version)},"messages":${json.replace(/</g, "\\u003c")}};\n`;
    script = { version, path: `/messages/${version}.js`, body };
    registerMessagesVersion({ version, messages });
    messagesScripts.set(language, script);
  }
  return script;
}

/** The script of a version, by its file name ("en.AbC123….js"); null for names never made. */
export function messagesScriptByFile(file: string): MessagesScript | null {
  const language = /^([a-z]{2,3})\.[A-Za-z0-9_-]{12}\.js$/.exec(file)?.[1];
  if (!language || !catalogs[language]) return null;
  return publicMessagesScript(language);
}

/** Translator for code outside React (emails, exports, server-made text). */
export function createTranslator(locale: string): Translator {
  return translatorFrom(locale, messagesFor(locale));
}

/** Tags as Accept-Language lists them, most wanted first. */
function preferredTags(acceptLanguage: string | null | undefined): string[] {
  return (acceptLanguage ?? "")
    .split(",")
    .slice(0, 20) // a header is the visitor's to write: a long one costs no more than this
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const quality = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.trim(), quality: quality ? Number(quality.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.quality > 0 && isLanguageTag(entry.tag))
    .sort((a, b) => b.quality - a.quality)
    .map((entry) => canonicalTag(entry.tag));
}

/** A well-formed BCP 47 tag that Intl understands (not "*", not junk a proxy sent). */
export function isLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > 35 || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return false;
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function canonicalTag(tag: string): string {
  return Intl.getCanonicalLocales(tag)[0]!;
}

/** The best supported language for an Accept-Language header (CLDR's matching, via intl-localematcher). */
export function negotiateLocale(acceptLanguage: string | null | undefined): string {
  const requested = preferredTags(acceptLanguage);
  if (requested.length === 0) return defaultLocale;
  return match(requested, supportedLocales, defaultLocale, { algorithm: "best fit" });
}

export type VisitorLanguage = {
  /**
   * The interface's language, with the reader's region kept where their browser gave one
   * ("en-GB" formats dates the British way; its messages are the English ones).
   */
  locale: string;
  /**
   * The language the reader last picked (from a ?lang= link or the switcher), if any: it also
   * chooses which translation of an appeal they read, which may be a language the interface
   * does not speak.
   */
  chosen: string | null;
};

/**
 * Works out, once per request, the language a visitor reads: a choice in the address (?lang=)
 * wins, then the one remembered in the cookie, then Accept-Language.
 */
export function resolveVisitorLanguage(input: { query: string | null; cookie: string | undefined; acceptLanguage: string | null | undefined }): VisitorLanguage {
  // Browsers send a handful of distinct headers, and negotiating one costs 2-3 % of a request's
  // CPU: each answer is kept. The key holds only what decides the answer (the chosen tag, if
  // valid, and the header), and the store is emptied when full: the inputs are the client's to
  // choose, so made-up ones cannot grow it, nor keep the common ones out for good.
  const chosen = [input.query, input.cookie].find((tag): tag is string => typeof tag === "string" && isLanguageTag(tag)) ?? "";
  const key = JSON.stringify([chosen, input.acceptLanguage ?? ""]);
  const known = knownVisitorLanguages.get(key);
  if (known) return { ...known };
  const resolved = resolveAfresh(input);
  if (key.length <= 200) {
    if (knownVisitorLanguages.size >= 1_000) knownVisitorLanguages.clear();
    knownVisitorLanguages.set(key, resolved);
  }
  return { ...resolved };
}

const knownVisitorLanguages = new Map<string, VisitorLanguage>();

function resolveAfresh(input: { query: string | null; cookie: string | undefined; acceptLanguage: string | null | undefined }): VisitorLanguage {
  const chosen = [input.query, input.cookie].find((tag): tag is string => typeof tag === "string" && isLanguageTag(tag));
  const chosenTag = chosen ? canonicalTag(chosen) : null;
  const chosenInterface = chosenTag && supportedLocales.includes(languageOf(chosenTag)) ? languageOf(chosenTag) : null;
  const language = chosenInterface ?? negotiateLocale(input.acceptLanguage);
  // The region comes from the browser's own list where it names one for this language.
  const regional = preferredTags(input.acceptLanguage).find((tag) => languageOf(tag) === language && tag.includes("-"));
  return { locale: regional ?? language, chosen: chosenTag };
}

/** The cookie that remembers a visitor's language choice. */
export const languageCookieName = "lang";
