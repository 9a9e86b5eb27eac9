import { createIntl, createIntlCache, type IntlShape } from "@formatjs/intl";
import type { MessageId, Messages } from "./messages.en";

/**
 * What both the server and the browser need to put text on a page. The catalogs themselves
 * are server-only (languages.server.ts): a browser receives only its reader's messages, with
 * the root loader's data, instead of every language in its JavaScript.
 */
export type { MessageId, Messages };

export const defaultLocale = "en";

/** The language part of a tag: "en-GB" → "en". */
export function languageOf(locale: string): string {
  return locale.split("-")[0]!.toLowerCase();
}

const cache = createIntlCache();

/** A translator for one language's messages (emails, page titles, server-made text). */
export function translatorFrom(locale: string, messages: Messages): Translator {
  const intl = createIntl({ locale, defaultLocale, messages }, cache);
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
