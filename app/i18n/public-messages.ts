import { defaultLocale, translatorFrom, type CompiledMessages, type Translator } from "./i18n";

/**
 * The public messages of a reader's language travel as a script of their own
 * (/messages/<language>.<hash>.js, see routes/messages.$file.ts), not in every page's data: they
 * are most of a page (32 of its 39 KB), and a browser keeps the script for a year and reuses it
 * on every page, where the page's data was encoded, escaped, compressed and downloaded again for
 * each one. A version names a language's catalog as built (its content hash); the root loader
 * says which version the page reads.
 *
 * The server registers each version when it makes its script; the browser has the one its page
 * loaded, in `window.__undersignMessages`.
 */
export type LoadedMessages = { version: string; messages: CompiledMessages };

declare global {
  interface Window {
    __undersignMessages?: LoadedMessages;
  }
}

const versionsOnServer = new Map<string, CompiledMessages>();

export function registerMessagesVersion(loaded: LoadedMessages): void {
  versionsOnServer.set(loaded.version, loaded.messages);
}

/** The messages of a version, or null where this page has not loaded them. */
export function messagesOfVersion(version: string): CompiledMessages | null {
  const onServer = versionsOnServer.get(version);
  if (onServer) return onServer;
  if (typeof window === "undefined") return null;
  const loaded = window.__undersignMessages;
  return loaded?.version === version ? loaded.messages : null;
}

/** The messages this page loaded, whatever their version (while a page of another language is on its way). */
export function messagesLoadedByPage(): CompiledMessages | null {
  return typeof window === "undefined" ? null : (window.__undersignMessages?.messages ?? null);
}

const translators = new Map<string, Translator>();

/** A translator for text outside React (a page's head), by the root loader's locale and version. */
export function translatorOfVersion(locale: string | undefined, version: string): Translator | null {
  const messages = messagesOfVersion(version);
  if (!messages) return null;
  const key = `${locale ?? defaultLocale} ${version}`;
  let translator = translators.get(key);
  if (!translator) {
    translator = translatorFrom(locale ?? defaultLocale, messages);
    translators.set(key, translator);
  }
  return translator;
}

/** The element of the page's messages script, which the browser's start waits for (entry.client.tsx). */
export const pageMessagesScriptId = "page-messages";
