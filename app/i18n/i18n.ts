import { createIntl, createIntlCache, type IntlShape } from "@formatjs/intl";
import { en, type MessageId, type Messages } from "./messages.en";

export type { MessageId };

const catalogs: Record<string, Messages> = { en };
export const supportedLocales = Object.keys(catalogs);
export const defaultLocale = "en";

export function messagesFor(locale: string): Messages {
  return catalogs[locale] ?? en;
}

/** The best supported language for an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | null | undefined): string {
  const preferred = (acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const quality = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.toLowerCase(), quality: quality ? Number(quality.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.tag && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  for (const { tag } of preferred) {
    const language = tag.split("-")[0] ?? "";
    if (supportedLocales.includes(language)) return language;
  }
  return defaultLocale;
}

const cache = createIntlCache();

/** Translator for code outside React (emails, server-made text). */
export function createTranslator(locale: string): Translator {
  const intl = createIntl({ locale, defaultLocale, messages: messagesFor(locale) }, cache);
  return {
    locale: intl.locale,
    t: (id, values) => intl.formatMessage({ id }, values) as string,
    intl,
  };
}

export type Translator = {
  locale: string;
  t: (id: MessageId, values?: Record<string, string | number | Date>) => string;
  intl: IntlShape<string>;
};
