/**
 * What counts as a name on an appeal. Bots and pranksters fill the public list with names made
 * only of invisible characters (zero-width space U+200B, braille blank U+2800, Hangul filler
 * U+3164) or with links to their sites. A name must show at least one letter, and hold no web
 * address.
 */

/** Characters that draw nothing, though some are classed as letters (the Hangul fillers). */
// eslint-disable-next-line no-misleading-character-class -- combining marks alone are exactly what is matched here
const invisible = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800\u034F\u17B4\u17B5\u180B-\u180F\u2060-\u206F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;

export function hasVisibleLetter(name: string): boolean {
  return /\p{L}/u.test(name.replace(invisible, ""));
}

/** A scheme, "www.", or a host ending in a common top-level domain. */
const webAddress = /(?:[a-z][a-z0-9+.-]*:\/\/|\bwww\.|\b[\p{L}\p{N}-]+\.(?:com|net|org|info|biz|io|co|me|ru|su|kz|ua|by|uz|de|uk|fr|es|it|pl|tr|cn|xyz|top|site|online|store|shop|app|dev|link|click|club|live|ly|to|gg|tk|ml|ga|cf|gq)\b)/iu;

export function containsWebAddress(text: string): boolean {
  return webAddress.test(text);
}
