import type { MetaArgs } from "@remix-run/node";
import { createTranslator, defaultLocale, type MessageId } from "./i18n";

/**
 * The <title> of a page, in the reader's language (negotiated by the root loader): "Page ·
 * Undersign", or the site name alone. `page` is a message id or text already in the page's
 * language (an appeal's title).
 */
export function pageTitle(matches: MetaArgs["matches"], page?: { id: MessageId } | { text: string }): string {
  const { t } = translatorFor(matches);
  if (!page) return t("site.name");
  return t("site.pageTitle", { page: "id" in page ? t(page.id) : page.text });
}

/** Text for a page's head (its title, its links' titles) in the reader's language. */
export function translatorFor(matches: MetaArgs["matches"]) {
  const root = matches.find((match) => match.id === "root")?.data as { locale?: string } | undefined;
  return createTranslator(root?.locale ?? defaultLocale);
}
