import type { MetaArgs } from "@remix-run/node";
import { translatorFrom, type MessageId, type CompiledMessages, type Translator } from "./i18n";
import { messagesOfVersion, translatorOfVersion } from "./public-messages";

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
  const root = matches.find((match) => match.id === "root")?.data as { locale?: string; messages?: { version: string } } | undefined;
  if (!root?.messages) return null;
  const publicText = translatorOfVersion(root.locale, root.messages.version);
  if (!publicText) return null;
  // An area's layout (the organizer area) adds its own messages to the public ones.
  const areas = matches.flatMap((match) => (match.id === "root" ? [] : ((match.data as { messages?: CompiledMessages } | undefined)?.messages ?? [])));
  if (areas.length === 0) return publicText;
  return translatorFrom(publicText.locale, Object.assign({}, messagesOfVersion(root.messages.version), ...areas) as CompiledMessages);
}
