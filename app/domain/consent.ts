/**
 * What a signer agrees to, by version: each signature records the versions of the privacy
 * notice and of the form's consent texts in force when it was made, and when. Change a version
 * whenever the text it names changes in substance (a date is a good version).
 */
export const privacyNoticeVersion = "2026-12-07";
export const consentTextVersion = "2026-11-25";

/** The day the privacy notice's current version took effect; the notice shows it. */
export const privacyNoticeInForceSince = new Date("2026-12-07T00:00:00Z");
