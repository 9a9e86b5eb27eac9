/**
 * How a request's target becomes the path Remix routes, in one place for the handler that builds
 * Remix's request and for the guards in front of it that decide by path (the dev mailbox, the
 * organizer area). A guard comparing Express's raw `req.path` would let another spelling of the
 * same page through: the URL parser resolves dot segments ("/x/../dev/mailbox"), the router
 * decodes escapes ("/dev/%6Dailbox") and ignores case ("/DEV/MAILBOX").
 */

/**
 * The path and query of a request target: "/a?b" as sent, or taken from an absolute-form
 * target ("GET http://host/a?b"). Never resolved against a base, where "//evil.example/x"
 * would name another host.
 */
export function pathAndQuery(target: string): string {
  if (target.startsWith("/")) return target;
  try {
    const absolute = new URL(target);
    return `${absolute.pathname}${absolute.search}`;
  } catch {
    return "/";
  }
}

/**
 * The path a guard compares against its prefix: resolved as the URL parser resolves it, decoded,
 * with runs of slashes made one, and in lower case. Wider than the router in places (it decodes
 * "%2F", which the router keeps), which can only make a guard stricter.
 */
export function pathAsRouted(target: string): string {
  // Appended to an origin, as the handler builds Remix's request: resolved against it as a base,
  // "//evil.example/x" would lose its first segment to the host.
  const { pathname } = new URL(`http://localhost${pathAndQuery(target)}`);
  return decodedOrAsSent(pathname).replace(/\/{2,}/g, "/").toLowerCase();
}

/** Percent-escapes decoded as the router decodes them; a broken escape leaves the text as sent, as it leaves it for the router. */
export function decodedOrAsSent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
