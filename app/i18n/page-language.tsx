import { createContext, useContext } from "react";
import { defaultLocale, type CompiledMessages } from "./i18n";

export type PageLanguage = { locale: string; messages: CompiledMessages };

/**
 * The reader's language and messages, given by entry.server.tsx for the page being rendered.
 * The root loader normally sends them; but when an action fails, Remix renders the root's
 * error page without running the root loader, and the page must still speak the reader's
 * language. The server then writes them into the page (PageLanguageFallback) for the browser
 * to read back when it hydrates.
 */
const ServerPageLanguage = createContext<PageLanguage | null>(null);

export const PageLanguageProvider = ServerPageLanguage.Provider;

const elementId = "page-language";
let readFromPage: PageLanguage | null = null;

export function useFallbackPageLanguage(): PageLanguage {
  const fromServer = useContext(ServerPageLanguage);
  if (fromServer) return fromServer;
  if (typeof document !== "undefined") {
    readFromPage ??= JSON.parse(document.getElementById(elementId)?.textContent || "null") as PageLanguage | null;
    if (readFromPage) return readFromPage;
  }
  return { locale: defaultLocale, messages: {} };
}

/** The fallback written into the page, as data (never run: CSP does not apply to JSON). */
export function PageLanguageFallback({ language }: { language: PageLanguage }) {
  // "<" is escaped so no text in a message can close the element.
  const json = JSON.stringify(language).replace(/</g, "\\u003c");
  return <script type="application/json" id={elementId} dangerouslySetInnerHTML={{ __html: json }} />;
}
