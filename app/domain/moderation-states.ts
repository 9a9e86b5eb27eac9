/**
 * The states an organizer can filter the signatures table by (moderation). "hidden" cuts across
 * the others: a hidden signature is also pending, confirmed or invalidated.
 */
export const moderationStates = ["pending", "confirmed", "hidden", "invalidated", "held", "withdrawn"] as const;

export type ModerationState = (typeof moderationStates)[number];

export function isModerationState(value: string): value is ModerationState {
  return (moderationStates as readonly string[]).includes(value);
}
