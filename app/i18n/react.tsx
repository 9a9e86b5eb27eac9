import { createContext, Fragment, useContext, useMemo } from "react";
import { countryName as countryNameIn } from "~/domain/countries";
import { languageName as languageNameIn, languageOptions as languageOptionsIn } from "~/components/language-options";
import { defaultLocale, type CompiledMessages, type MessageId } from "./i18n";
import { dateTimeFormat, formatMessage, formatMessageParts, numberFormat } from "./message-format";
import { useSameAsServer } from "./server-formatted";

type PageTranslations = { locale: string; messages: CompiledMessages };

const Translations = createContext<PageTranslations>({ locale: defaultLocale, messages: {} });

/** The reader's language and its messages, for every component below (the root layout gives them). */
export const TranslationsProvider = Translations.Provider;

/** Adds an area's messages (the organizer area's) to those of the page around it. */
export function MoreTranslations({ messages, children }: { messages: CompiledMessages; children: React.ReactNode }) {
  const outer = useContext(Translations);
  const merged = useMemo(() => ({ locale: outer.locale, messages: { ...outer.messages, ...messages } }), [outer, messages]);
  return <Translations.Provider value={merged}>{children}</Translations.Provider>;
}

type Values = Record<string, string | number | Date>;
type RichValues = Record<string, React.ReactNode | ((chunks: React.ReactNode[]) => React.ReactNode)>;

/**
 * `t("signForm.submit")` in components: every visible string goes through here. Whatever depends
 * on the runtime's locale data (numbers, dates, names of countries and languages) is formatted
 * the way the server did it (server-formatted.tsx), so the browser hydrates the same text.
 */
export function useT() {
  const { locale, messages } = useContext(Translations);
  const sameAsServer = useSameAsServer();
  const formatted = (kind: string, input: unknown, format: () => string) => sameAsServer(`${kind}|${locale}|${JSON.stringify(input)}`, format);
  const t = (id: MessageId, values?: Values) => {
    const message = () => formatMessage(locale, messages[id], id, values);
    // Messages with only text in them read the same everywhere; plurals and numbers may not.
    const localeDependent = values && Object.values(values).some((value) => typeof value !== "string");
    return localeDependent ? formatted("t", [id, values], message) : message();
  };
  /** For messages with markup placeholders such as <link>…</link> (text values only). */
  const rich = (id: MessageId, values: RichValues): React.ReactNode => {
    const message = messages[id];
    if (message === undefined) return id;
    return formatMessageParts(locale, message, values).map((piece, index) => <Fragment key={index}>{piece as React.ReactNode}</Fragment>);
  };
  /** A date or time in the reader's language, in UTC, with the given parts (chart axes, tables). */
  const utc = (value: Date, options: Intl.DateTimeFormatOptions) =>
    formatted("date", [value, options], () => keepYearMarkWithYear(dateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(value)));
  // In UTC, so that a calendar date stored as midnight UTC is the same day everywhere.
  const date = (value: Date) => utc(value, { dateStyle: "long" });
  // dateStyle cannot be combined with timeZoneName, so the zone is named by hand.
  const dateTime = (value: Date) => `${utc(value, { dateStyle: "medium", timeStyle: "short" })} UTC`;
  const number = (value: number) => formatted("number", value, () => numberFormat(locale).format(value));
  const percent = (value: number) =>
    formatted("percent", value, () => numberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value));
  /** "DE" → "Germany", in the reader's language. */
  const countryName = (code: string) => formatted("country", code, () => countryNameIn(code, locale));
  /** "kk" → "Kazakh", in the reader's language. */
  const languageName = (code: string) => formatted("language", code, () => languageNameIn(code, locale));
  /** "ru" → "Русский": a language in its own words, for readers of it looking for it; capitalised as a label, as the header's languages are. */
  const ownLanguageName = (code: string) => formatted("ownLanguage", code, () => capitalised(languageNameIn(code, code), code));
  const languageOptions = (codes: readonly string[]) => sameAsServer(`languageOptions|${locale}|${JSON.stringify(codes)}`, () => languageOptionsIn(codes, locale));
  return { t, rich, date, dateTime, number, utc, percent, countryName, languageName, ownLanguageName, languageOptions, locale };
}

/** Russian "2026 г." and Kazakh "2026 ж.": the year's abbreviation never starts a line of its own. */
function keepYearMarkWithYear(text: string): string {
  return text.replace(/(\d) (?=[гж]\.)/g, "$1\u00a0");
}

/** "русский" → "Русский", by the language's own rules for upper case. */
function capitalised(name: string, code: string): string {
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}
