/**
 * Public pages may be cached by a CDN for a few seconds and served stale while it refreshes,
 * so a spike of readers costs the database almost nothing. Browsers always revalidate
 * (max-age=0), so a person who just signed sees the new count on reload.
 */
export const publicPageCacheControl = "public, max-age=0, s-maxage=10, stale-while-revalidate=60";

/** Pages that depend on a secret in the URL or on the visitor must never be stored anywhere. */
export const privatePageCacheControl = "private, no-store";
