import MarkdownIt from "markdown-it";

/**
 * An appeal's text is Markdown written by organizers. What reaches a visitor is HTML that
 * markdown-it produced with raw HTML turned off: a `<script>` or `<img onerror>` in the text is
 * shown as text, links with `javascript:`, `vbscript:`, `file:` or `data:` targets are not made
 * links, and images are not rendered at all (an image from another site would tell that site
 * who reads the appeal). Headings start at level 2: the page's title is the only h1.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
markdown.disable(["image"]);

const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  const href = String(token.attrGet("href") ?? "");
  // Links that leave the site do not tell it where the reader came from, nor give it the page.
  if (/^https?:\/\//i.test(href)) token.attrSet("rel", "noopener noreferrer nofollow");
  return defaultLinkOpen(tokens, index, options, env, self);
};

const defaultHeadingOpen = markdown.renderer.rules.heading_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.heading_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  const level = Math.min(6, Math.max(2, Number(token.tag.slice(1)) + 1));
  token.tag = `h${level}`;
  // heading_open, inline, heading_close: the closing tag follows the opening one.
  const closing = tokens[index + 2];
  if (closing?.type === "heading_close") closing.tag = token.tag;
  return defaultHeadingOpen(tokens, index, options, env, self);
};

export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
