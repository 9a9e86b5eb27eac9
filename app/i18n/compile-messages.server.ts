import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import type { CompiledMessage, MessagePart } from "./message-format";

/**
 * ICU MessageFormat text → the parts message-format.ts walks. Styles must be skeletons
 * ("{size, number, ::unit/kilobyte}"): named styles ("{n, number, percent}") would need a table
 * of their meanings in the browser too, so they are refused here, where a catalog test sees it.
 */
export function compileMessage(id: string, text: string, locale: string): CompiledMessage {
  const parts = compileElements(id, parse(text, { locale: new Intl.Locale(locale), shouldParseSkeletons: true }));
  if (parts.length === 0) return "";
  return parts.length === 1 && typeof parts[0] === "string" ? parts[0] : parts;
}

function compileElements(id: string, elements: MessageFormatElement[]): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const element of elements) {
    const part = compileElement(id, element);
    // Adjacent text (split by the parser around quotes) becomes one string.
    if (typeof part === "string" && typeof parts.at(-1) === "string") parts[parts.length - 1] += part;
    else parts.push(part);
  }
  return parts;
}

function skeletonOptions<T>(id: string, style: string | { parsedOptions: T } | null | undefined): T | undefined {
  if (style === null || style === undefined) return undefined;
  if (typeof style === "string") throw new Error(`Message ${id}: write the style "${style}" as a skeleton (e.g. "::percent")`);
  return style.parsedOptions;
}

function compileCases(id: string, options: Record<string, { value: MessageFormatElement[] }>): Record<string, MessagePart[]> {
  return Object.fromEntries(Object.entries(options).map(([key, option]) => [key, compileElements(id, option.value)]));
}

function compileElement(id: string, element: MessageFormatElement): MessagePart {
  switch (element.type) {
    case TYPE.literal:
      return element.value;
    case TYPE.argument:
      return { arg: element.value };
    case TYPE.number: {
      const options = skeletonOptions(id, element.style) as Intl.NumberFormatOptions | undefined;
      return options ? { number: element.value, options } : { number: element.value };
    }
    case TYPE.date:
    case TYPE.time: {
      const options = skeletonOptions(id, element.style);
      return options ? { date: element.value, options } : { date: element.value };
    }
    case TYPE.select:
      return { select: element.value, cases: compileCases(id, element.options) };
    case TYPE.plural:
      return {
        plural: element.value,
        cases: compileCases(id, element.options),
        ...(element.offset ? { offset: element.offset } : {}),
        ...(element.pluralType === "ordinal" ? { ordinal: true as const } : {}),
      };
    case TYPE.pound:
      return { pound: true };
    case TYPE.tag:
      return { tag: element.value, children: compileElements(id, element.children) };
  }
}
