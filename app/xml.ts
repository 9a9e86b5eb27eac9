/**
 * Text and attribute values inside XML we write by hand (the Atom feed, the count badge's SVG):
 * the five characters with a meaning in XML are escaped, and characters XML 1.0 forbids outright
 * (most control characters, lone surrogates) are dropped, since a parser refuses the whole
 * document for one of them.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/[&<>"']/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[character] ?? character);
}
