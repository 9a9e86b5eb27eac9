/**
 * Where a signer lands after pressing "Confirm" (docs/decisions/027-confirming-redirects-to-a-shared-page.md).
 *
 * The press is answered with a redirect (Post/Redirect/Get) to a page that is the same for every
 * signer of an appeal and language, so public caches and the page cache can keep it: reloading it
 * re-sends nothing, and the press costs no page render. What differs per signer travels in the
 * address: whether the name is listed (in the query, so the page says it without JavaScript) and
 * the withdraw link offered once (in the fragment, which browsers never send to a server, so it
 * reaches no log, cache or Referer; the page takes it out of the address bar as it shows it).
 *
 * Used by the browser as well as the server: no server-only imports.
 */

export type ConfirmedPageAddress = {
  slug: string;
  listed: boolean;
  /** The withdraw link's token, offered on this page only once; null when none is offered. */
  withdrawToken: string | null;
  /** The language the reader chose by a ?lang= link, carried on so the next page keeps it. */
  chosenLanguage: string | null;
};

const withdrawKey = "withdraw";
/** The shape of the tokens we issue (see tokens.ts): anything else in a fragment is ignored. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export function confirmedPagePath(address: ConfirmedPageAddress): string {
  const query = new URLSearchParams({ listed: address.listed ? "yes" : "no" });
  if (address.chosenLanguage) query.set("lang", address.chosenLanguage);
  const fragment = address.withdrawToken ? `#${new URLSearchParams({ [withdrawKey]: address.withdrawToken })}` : "";
  return `/appeals/${encodeURIComponent(address.slug)}/confirmed?${query}${fragment}`;
}

/** Whether the page says the name is listed: only an explicit "yes" does. */
export function isListedOnConfirmedPage(search: URLSearchParams): boolean {
  return search.get("listed") === "yes";
}

/** The withdraw page a confirmed page's fragment points to, or null. */
export function withdrawPathFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get(withdrawKey);
  return token && tokenShape.test(token) ? `/withdraw/${token}` : null;
}
