import { createContext, useCallback, useContext } from "react";

/**
 * Text whose form depends on the runtime's locale data (CLDR, inside ICU): dates, numbers,
 * messages with a number or a date in them, country and language names and their order.
 *
 * Browsers do not all agree with Node here. Chromium 156 as Debian ships it says it supports
 * Kazakh, yet formats 3 March 2026 as "2026 M03 3", 1234567 as "1,234,567" and names no country
 * in Kazakh, where the server wrote "2026 ж. 3 наурыз", "1 234 567" and "Қазақстан". When the
 * browser's first render differs from the server's HTML, React throws the page away and renders
 * it again (errors 418/425): the page flickers, loses what the reader typed meanwhile, and ends
 * up with the browser's poorer text.
 *
 * So every such value the server formats is recorded, written into the page as JSON, and the
 * browser takes the server's form for the same inputs. Only values the server never formatted
 * (a page reached by client-side navigation) are formatted by the browser itself.
 */
type Recorded = Map<string, unknown>;

const ServerRecord = createContext<Recorded | null>(null);

/** entry.server.tsx gives each render a new, empty record. */
export const ServerFormattedRecord = ServerRecord.Provider;

const elementId = "server-formatted";
let readFromPage: Record<string, unknown> | null = null;

function fromPage(): Record<string, unknown> {
  readFromPage ??= JSON.parse(document.getElementById(elementId)?.textContent || "{}") as Record<string, unknown>;
  return readFromPage;
}

/**
 * `sameAsServer(key, format)`: the server runs `format` and records its result under `key`; the
 * browser returns what the server recorded, if anything. The key must name every input of
 * `format`, and the result must survive JSON.
 */
export function useSameAsServer() {
  const record = useContext(ServerRecord);
  return useCallback(
    <T,>(key: string, format: () => T): T => {
      if (record) {
        if (record.has(key)) return record.get(key) as T;
        const value = format();
        record.set(key, value);
        return value;
      }
      if (typeof document === "undefined") return format();
      const recorded = fromPage();
      return Object.hasOwn(recorded, key) ? (recorded[key] as T) : format();
    },
    [record],
  );
}

/**
 * The record, as data (never run). It must come after everything that formats text, so the root
 * layout puts it last in the body: React renders a page's elements in order on the server.
 */
export function ServerFormattedText() {
  const record = useContext(ServerRecord);
  // "<" is escaped so no recorded text can close the element.
  const json = record
    ? JSON.stringify(Object.fromEntries(record)).replace(/</g, "\\u003c")
    : (typeof document === "undefined" ? null : document.getElementById(elementId)?.textContent) ?? "{}";
  return <script type="application/json" id={elementId} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: json }} />;
}
