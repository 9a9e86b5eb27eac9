import { escapeXml } from "~/xml";

/**
 * The count badge (/appeals/{slug}/badge.svg): "Undersign | 1,234 signatures" in two parts, in
 * the style of the badges projects put in their READMEs. It is an image, so its text cannot be
 * measured by a browser: each part is as wide as its text at 11 px Verdana, estimated per
 * character below, plus padding. Presentation attributes only, no <style>: the site's
 * Content-Security-Policy applies when the badge is opened on its own.
 */

const fontSize = 11;
const padding = 6;
const height = 20;

/** Advance widths of Verdana at 11 px, by kind of character; close enough for a badge (±5 %). */
function characterWidth(character: string): number {
  if (/[ijl.,:;'!|]/.test(character)) return 3.4;
  if (/[ frt()\-[\]]/.test(character)) return 4.4;
  if (/[mwMW]/.test(character)) return 10.5;
  if (/[A-Z]/.test(character)) return 7.6;
  if (/[0-9a-z]/.test(character)) return 7;
  // Cyrillic and other letters: about an average capital's width.
  return 7.6;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const character of text) width += characterWidth(character);
  return Math.ceil(width);
}

export function countBadgeSvg(parts: { label: string; value: string; title: string }): string {
  const labelWidth = textWidth(parts.label) + 2 * padding;
  const valueWidth = textWidth(parts.value) + 2 * padding;
  const width = labelWidth + valueWidth;
  const label = escapeXml(parts.label);
  const value = escapeXml(parts.value);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}: ${value}">`,
    `<title>${escapeXml(parts.title)}</title>`,
    `<linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="round"><rect width="${width}" height="${height}" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#round)"><rect width="${labelWidth}" height="${height}" fill="#1a1a1a"/><rect x="${labelWidth}" width="${valueWidth}" height="${height}" fill="#1d4ed8"/><rect width="${width}" height="${height}" fill="url(#shine)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="${fontSize}">`,
    `<text x="${labelWidth / 2}" y="14">${label}</text>`,
    `<text x="${labelWidth + valueWidth / 2}" y="14">${value}</text>`,
    `</g></svg>`,
  ].join("");
}
