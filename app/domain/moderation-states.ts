/**
 * The states an organizer can filter the signatures table by (moderation). "hidden" cuts across
 * the others: a hidden signature is also pending, confirmed or invalidated.
 */
export const moderationStates = ["pending", "confirmed", "hidden", "invalidated", "held", "withdrawn"] as const;

export type ModerationState = (typeof moderationStates)[number];

export function isModerationState(value: string): value is ModerationState {
  return (moderationStates as readonly string[]).includes(value);
}

/** Where a signature was given: online, or on paper and imported by an organizer (paper-signatures.ts). */
export const signatureSources = ["online", "paper"] as const;

export type SignatureSourceFilter = (typeof signatureSources)[number];

/** The query-string names of the signatures table's filters, in the order its form shows them. */
export const signatureFilterNames = ["q", "state", "source", "from", "to", "domain", "network"] as const;
