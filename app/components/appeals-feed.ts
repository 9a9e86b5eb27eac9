import { escapeXml } from "~/xml";

/** An Atom 1.0 feed (RFC 4287) of appeals as they were published: /appeals.atom. */
export type FeedEntry = { title: string; summary: string | null; url: string; publishedAt: Date; language: string };

export function appealsFeedXml(feed: { title: string; subtitle: string; author: string; selfUrl: string; siteUrl: string; language: string; entries: FeedEntry[] }): string {
  // A feed without entries still needs an <updated>: the start of time is as honest as any.
  const updated = feed.entries[0]?.publishedAt ?? new Date(0);
  const entries = feed.entries.map((entry) =>
    [
      `  <entry xml:lang="${escapeXml(entry.language)}">`,
      `    <title>${escapeXml(entry.title)}</title>`,
      // The appeal's address is its permanent identity: slugs do not change once published.
      `    <id>${escapeXml(entry.url)}</id>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(entry.url)}"/>`,
      `    <published>${entry.publishedAt.toISOString()}</published>`,
      `    <updated>${entry.publishedAt.toISOString()}</updated>`,
      entry.summary ? `    <summary>${escapeXml(entry.summary)}</summary>` : null,
      `  </entry>`,
    ]
      .filter((line) => line !== null)
      .join("\n"),
  );
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(feed.language)}">`,
    `  <title>${escapeXml(feed.title)}</title>`,
    `  <subtitle>${escapeXml(feed.subtitle)}</subtitle>`,
    `  <id>${escapeXml(feed.selfUrl)}</id>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(feed.siteUrl)}"/>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${escapeXml(feed.author)}</name></author>`,
    ...entries,
    `</feed>`,
    ``,
  ].join("\n");
}
