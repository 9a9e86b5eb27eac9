import type { AppLoadContext } from "@remix-run/node";
import { confirmedPagePath } from "~/domain/confirmed-page";
import { confirmSignature, submitSignature, type Confirmation, type SubmissionOutcome } from "~/domain/signatures";

/**
 * The two forms a spike of signers sends by the thousand, Sign and Confirm: what their
 * submission does and where it leads. Their routes' actions call these, and so does the web
 * process's direct answer to a browser's form post (infra/direct-form-posts.server.ts), so each
 * step is written once.
 */

/** Someone pressed "Sign". Every rule is in submitSignature. */
export function submitSignForm(context: AppLoadContext, slug: string, form: Map<string, string>, userAgent: string | null): Promise<SubmissionOutcome> {
  const checks = { limits: context.signingLimits, secret: context.secret, minimumFillTimeMs: context.minimumFillTimeMs };
  return submitSignature(context.db, checks, slug, form, { locale: context.locale, clientAddress: context.clientAddress, userAgent });
}

/**
 * Where a submission leads: the thanks page for every accepted one, held or not, so nothing
 * tells a bot what happened. Null when the form page answers instead (a mistake to correct, a
 * closed appeal, proof of work to do).
 */
export function pageAfterSigning(context: AppLoadContext, outcome: SubmissionOutcome): string | null {
  if (outcome.kind !== "accepted") return null;
  if (outcome.signatureId) context.log.info({ signatureId: outcome.signatureId, held: outcome.held }, "signature submitted");
  return `/appeals/${encodeURIComponent(outcome.slug)}/thanks`;
}

/** Someone pressed "Confirm" on the page their email's link opened. */
export function pressConfirm(context: AppLoadContext, token: string): Promise<Confirmation | null> {
  return confirmSignature(context.db, token, context.readingLanguage);
}

/**
 * Where a press leads: the appeal's shared "confirmed" page (Post/Redirect/Get, decision 027),
 * keeping a `?lang=` the link carried. Null when the confirmation page answers instead (an
 * unknown link, an appeal closed too long ago).
 */
export function pageAfterConfirming(context: AppLoadContext, confirmation: Confirmation | null, chosenLanguage: string | null): string | null {
  if (!confirmation?.confirmed) return null;
  context.log.info({ signatureId: confirmation.signatureId, appealId: confirmation.appeal.id }, "signature confirmed");
  return confirmedPagePath({ slug: confirmation.appeal.slug, listed: confirmation.showPublicly, withdrawToken: confirmation.withdrawToken, chosenLanguage });
}

/**
 * A form post the web process has already submitted (direct-form-posts.server.ts) and handed on
 * to Remix because its answer is a page: the route shows this outcome instead of submitting the
 * form a second time. `body` is the form as it was sent.
 */
export type DecidedFormPost = { body: Buffer } & (
  | { form: "sign"; outcome: Promise<SubmissionOutcome> }
  | { form: "confirm"; outcome: Promise<Confirmation | null> }
);
