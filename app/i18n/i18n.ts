import type { MessageId, Messages } from "./messages.en";
import { formatMessage, type CompiledMessage, type MessageValue } from "./message-format";

/**
 * What both the server and the browser need to put text on a page. The catalogs themselves
 * are server-only (languages.server.ts): a browser receives only its reader's messages, already
 * parsed (message-format.ts), with the root loader's data, instead of every language in its
 * JavaScript.
 */
export type { MessageId, Messages };

/** One language's messages as they travel to the browser. */
export type CompiledMessages = Partial<Record<MessageId, CompiledMessage>>;

export const defaultLocale = "en";

/** The language part of a tag: "en-GB" → "en". */
export function languageOf(locale: string): string {
  return locale.split("-")[0]!.toLowerCase();
}

/** A translator for one language's messages (emails, page titles, server-made text). */
export function translatorFrom(locale: string, messages: CompiledMessages): Translator {
  return {
    locale,
    t: (id, values) => formatMessage(locale, messages[id], id, values),
  };
}

export type Translator = {
  locale: string;
  t: (id: MessageId, values?: Record<string, MessageValue>) => string;
};
