import { useMatches } from "@remix-run/react";

/**
 * A route's `handle` for pages shown on their own — in another site's frame (the embed) or on
 * paper (the flyer): no site header, footer or skip link, and no scripts, since such a page
 * needs none and every byte of an embed is loaded on someone else's page.
 */
export const standalonePage = { standalone: true } as const;

export function useIsStandalonePage(): boolean {
  return useMatches().some((match) => (match.handle as { standalone?: boolean } | undefined)?.standalone === true);
}
