import type { MetaArgs } from "@remix-run/node";
import { defaultLocale, translatorFrom, type MessageId, type CompiledMessages, type Translator } from "./i18n";

const siteName = "Undersign";

/**
 * The <title> of a page, in the reader's language (the root loader sends its messages): "Page ·
 * Undersign", or the site name alone. `page` is a message id or text already in the page's
 * language (an appeal's title).
 */
export function pageTitle(matches: MetaArgs["matches"], page?: { id: MessageId } | { text: string }): string {
  const translator = translatorFor(matches);
  // After a failed action Remix renders the error page without the root loader's data: the
  // page's text then comes from page-language.tsx, but a meta function cannot reach that, so
  // the title is the site's name, which is the same in every language.
  if (!translator) return siteName;
  const { t } = translator;
  if (!page) return t("site.name");
  return t("site.pageTitle", { page: "id" in page ? t(page.id) : page.text });
}


/**
 * Text for a page's head (its title, its links' titles) in the reader's language, from the
 * messages the root loader sent; null on an error page rendered without them.
 */
export function translatorFor(matches: MetaArgs["matches"]): Translator | null {
  const root = matches.find((match) => match.id === "root")?.data as { locale?: string; messages?: CompiledMessages } | undefined;
  if (!root?.messages) return null;
  const locale = root.locale ?? defaultLocale;
  // An area's layout (the organizer area) adds its own messages to the root's.
  const areas = matches.flatMap((match) => (match.data as { messages?: CompiledMessages } | undefined)?.messages ?? []);
  if (areas.length > 1) return translatorFrom(locale, Object.assign({}, ...areas) as CompiledMessages);
  // Public pages: the root's messages alone, the same object for every page in a language, so
  // each page's head does not copy the whole catalog again.
  const cached = rootTranslators.get(root.messages);
  if (cached?.locale === locale) return cached;
  const translator = translatorFrom(locale, root.messages);
  rootTranslators.set(root.messages, translator);
  return translator;
}

const rootTranslators = new WeakMap<CompiledMessages, Translator>();
