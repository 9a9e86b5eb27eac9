import type { DatabaseOrTransaction } from "~/infra/db.server";
import { acceptsSignatures } from "./appeal-lifecycle";
import { isWellFormedSlug, pickTranslation } from "./appeals";
import { getSignatureCounts } from "./counts";

/**
 * Spreading an appeal beyond its page: share links, the share image, QR codes, a flyer and a
 * frame for other sites (docs/decisions/020-sharing-without-trackers.md). Every link here is a
 * plain address: no other site's script ever runs on our pages, and nothing reaches another
 * site until the reader follows a link to it.
 */

/** The addresses of an appeal's public page and of everything made to pass it on. */
export function appealSharePaths(slug: string) {
  const page = `/appeals/${encodeURIComponent(slug)}`;
  return {
    page,
    shareImage: `${page}/share.png`,
    qrSvg: `${page}/qr.svg`,
    qrPng: `${page}/qr.png`,
    flyer: `${page}/flyer`,
    embed: `${page}/embed`,
    badge: `${page}/badge.svg`,
  };
}

/** An address on this site as others must see it: under PUBLIC_URL, whatever Host a proxy sent. */
export function absoluteUrl(publicUrl: string, path: string): string {
  return new URL(path, publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`).href;
}

/** The share image's size: what Open Graph and X's large card show without cropping (1.91:1). */
export const shareImageSize = { width: 1200, height: 630 } as const;

/**
 * The one page another site may put in a frame. Every other page refuses framing, so no
 * site can overlay our sign form or buttons with its own (clickjacking). The embed carries
 * no form: its only button opens the appeal in a new tab.
 */
export function mayBeFramedByOtherSites(path: string): boolean {
  return /^\/appeals\/[^/]+\/embed\/?$/.test(path);
}

/**
 * What other sites may load into their own pages: the embed, the badge, the share image and the
 * QR codes. They are answered with Cross-Origin-Resource-Policy: cross-origin; everything else
 * stays same-origin, so no other page can pull our HTML or data in as a resource.
 */
export function isMadeForOtherSites(path: string): boolean {
  return /^\/appeals\/[^/]+\/(embed\/?|badge\.svg|share\.png|qr\.svg|qr\.png)$/.test(path);
}

export type ShareNetwork = "email" | "telegram" | "whatsapp" | "x" | "facebook";

export type ShareLink = { network: ShareNetwork; href: string };

/**
 * Links that hand the appeal to a mail program or a messenger's own share page. `message` is
 * the sentence sent with the link (in the reader's language); an email gets `subject` and
 * `emailBody` instead. The URL is always passed on whole, never shortened or tagged.
 */
export function shareLinks(share: { url: string; message: string; subject: string; emailBody: string }): ShareLink[] {
  const q = encodeURIComponent;
  return [
    // RFC 6068: spaces as %20, never "+", which mail programs would show as a plus sign.
    { network: "email", href: `mailto:?subject=${q(share.subject)}&body=${q(share.emailBody)}` },
    { network: "telegram", href: `https://t.me/share/url?url=${q(share.url)}&text=${q(share.message)}` },
    { network: "whatsapp", href: `https://wa.me/?text=${q(`${share.message} ${share.url}`)}` },
    { network: "x", href: `https://x.com/intent/post?text=${q(share.message)}&url=${q(share.url)}` },
    { network: "facebook", href: `https://www.facebook.com/sharer/sharer.php?u=${q(share.url)}` },
  ];
}

/** Text pasted into another site's HTML: the characters that could end an attribute or a tag are escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** How tall the embed's frame is made: enough for a two-line title, the count, the bar and the button. */
export const embedFrameHeight = 260;

/** The HTML an organizer pastes into their own site to show the embed. */
export function embedSnippet(publicUrl: string, slug: string, frameTitle: string): string {
  const src = absoluteUrl(publicUrl, appealSharePaths(slug).embed);
  return `<iframe src="${escapeHtml(src)}" title="${escapeHtml(frameTitle)}" width="100%" height="${embedFrameHeight}" style="border:0;max-width:480px" loading="lazy"></iframe>`;
}

/** The HTML for the badge (an image of the count) linking to the appeal. */
export function badgeSnippet(publicUrl: string, slug: string, altText: string): string {
  const paths = appealSharePaths(slug);
  return `<a href="${escapeHtml(absoluteUrl(publicUrl, paths.page))}"><img src="${escapeHtml(absoluteUrl(publicUrl, paths.badge))}" alt="${escapeHtml(altText)}"></a>`;
}

/** What the share image, flyer and embed show of an appeal: less than its page, and read often. */
export type SharedAppeal = {
  slug: string;
  locale: string;
  title: string;
  summary: string | null;
  publisherName: string;
  acceptsSignatures: boolean;
  signatureGoal: number | null;
  confirmed: number;
};

/** A published, closed or archived appeal (never a draft) in the reader's language when it has it. */
export async function getSharedAppeal(db: DatabaseOrTransaction, slug: string, locale: string): Promise<SharedAppeal | null> {
  if (!isWellFormedSlug(slug)) return null;
  const appeal = await db.appeal.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      status: true,
      closesAt: true,
      signatureGoal: true,
      publisherName: true,
      defaultLocale: true,
      translations: { select: { locale: true, title: true, summary: true } },
    },
  });
  if (!appeal || appeal.status === "DRAFT") return null;
  const translation = pickTranslation(appeal.translations, locale, appeal.defaultLocale);
  if (!translation) return null;
  const counts = await getSignatureCounts(db, appeal.id);
  return {
    slug: appeal.slug,
    locale: translation.locale,
    title: translation.title,
    summary: translation.summary,
    publisherName: appeal.publisherName,
    acceptsSignatures: acceptsSignatures(appeal, new Date()),
    signatureGoal: appeal.signatureGoal,
    confirmed: counts.confirmed,
  };
}

/** A progress bar's fill, 0–1: a goal passed shows full, not beyond. */
export function progressTowardGoal(confirmed: number, goal: number | null): number | null {
  if (!goal || goal <= 0) return null;
  return Math.min(1, Math.max(0, confirmed / goal));
}
