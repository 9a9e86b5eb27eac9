/**
 * Messages as the browser receives them: ICU MessageFormat parsed once on the server by
 * @formatjs/icu-messageformat-parser (compile-messages.server.ts) into the small shape below, so
 * the page carries no parser and no formatting library (about 16 KB gzip of JavaScript), only
 * this walk over already-parsed parts with the runtime's Intl.
 *
 * A message without placeholders stays a plain string.
 */
export type MessagePart =
  | string
  | { arg: string }
  | { number: string; options?: Intl.NumberFormatOptions }
  | { date: string; options?: Intl.DateTimeFormatOptions }
  | { select: string; cases: Record<string, MessagePart[]> }
  | { plural: string; cases: Record<string, MessagePart[]>; offset?: number; ordinal?: true }
  | { pound: true }
  | { tag: string; children: MessagePart[] };

export type CompiledMessage = string | MessagePart[];

/** A value for a placeholder: text, a number or a date; or, in rich messages, what a tag becomes. */
export type MessageValue = unknown;

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(key: string, create: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (!formatter) {
    formatter = create();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function numberFormat(locale: string, options?: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`n|${locale}|${JSON.stringify(options ?? {})}`, () => new Intl.NumberFormat(locale, options));
}

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(`d|${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}

function pluralRules(locale: string, ordinal: boolean): Intl.PluralRules {
  return cached(`p|${locale}|${ordinal}`, () => new Intl.PluralRules(locale, { type: ordinal ? "ordinal" : "cardinal" }));
}

/**
 * The message's pieces with the values put in: strings, and for rich messages whatever the tag
 * functions returned. A value that is missing shows as "{name}" rather than breaking the page.
 */
export function formatMessageParts(
  locale: string,
  message: CompiledMessage,
  values: Record<string, MessageValue> = {},
  pluralValue?: number,
): unknown[] {
  if (typeof message === "string") return [message];
  const pieces: unknown[] = [];
  const valueOf = (name: string) => (name in values ? values[name] : `{${name}}`);
  for (const part of message) {
    if (typeof part === "string") pieces.push(part);
    else if ("arg" in part) {
      const value = valueOf(part.arg);
      pieces.push(typeof value === "number" ? String(value) : value);
    } else if ("number" in part) pieces.push(numberFormat(locale, part.options).format(Number(valueOf(part.number))));
    else if ("date" in part) pieces.push(dateTimeFormat(locale, part.options ?? {}).format(new Date(valueOf(part.date) as Date)));
    else if ("select" in part) {
      const chosen = part.cases[String(valueOf(part.select))] ?? part.cases.other ?? [];
      pieces.push(...formatMessageParts(locale, chosen, values, pluralValue));
    } else if ("plural" in part) {
      const count = Number(valueOf(part.plural));
      const offsetCount = count - (part.offset ?? 0);
      const chosen = part.cases[`=${count}`] ?? part.cases[pluralRules(locale, part.ordinal === true).select(offsetCount)] ?? part.cases.other ?? [];
      pieces.push(...formatMessageParts(locale, chosen, values, offsetCount));
    } else if ("pound" in part) pieces.push(pluralValue === undefined ? "#" : numberFormat(locale).format(pluralValue));
    else {
      const wrap = values[part.tag];
      const children = formatMessageParts(locale, part.children, values, pluralValue);
      pieces.push(typeof wrap === "function" ? (wrap as (chunks: unknown[]) => unknown)(children) : children);
    }
  }
  return pieces;
}

/** A message as plain text. */
export function formatMessage(locale: string, message: CompiledMessage | undefined, id: string, values?: Record<string, MessageValue>): string {
  // A message missing from the catalog shows its id, as react-intl did: visible, never a crash.
  if (message === undefined) return id;
  return withoutDoubledFullStop(formatMessageParts(locale, message, values).join(""));
}

/**
 * A sentence that ends on a date ends on its abbreviation ("25 ноября 2026 г."), whose full stop
 * is the sentence's too: "г.." and "ж.." lose the second.
 */
function withoutDoubledFullStop(text: string): string {
  return text.replace(/(\d[\s\u00a0][гж]\.)\./g, "$1");
}
