import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import { acceptsConfirmations, effectiveClosingTime } from "./appeal-lifecycle";
import { findSignableAppeal, pickTranslation } from "./appeals";
import { signatureFields, signatureLimits, signFormHiddenFields, type SignatureField, type SignatureFieldErrors, type SignatureFormFields } from "./sign-form-fields";
import { queryDirect, sql, type Database, type DatabaseOrTransaction } from "~/infra/db.server";
import { isDeadlock } from "~/infra/database-availability.server";
import { gatherPerDatabase } from "~/infra/group-commit";
import { enqueueSignatureEmail, signatureEmailJobsForEmails, type SignatureEmailKind } from "~/infra/queue/outbox.server";
import { isCountryCode } from "./countries";
import { confirmAndCount } from "./counts";
import { hashToken, looksLikeToken } from "./tokens";
import { newWithdrawalToken } from "./withdrawals";
import { recordAudit } from "./audit";
import { findBlockedSubmissions, type BlockListSubject } from "./block-list.server";
import { confirmWhileInvalidated } from "./moderation.server";
import { consentTextVersion, privacyNoticeVersion } from "./consent";
import { canonicalEmail } from "./email-addresses";
import { judgeFillTime, readFormToken } from "./form-timing.server";
import { proofOfWorkField, verifyProofOfWork } from "./proof-of-work.server";
import type { SignedInOrganizer } from "./organizers";
import { countSigningLimits, isNetworkAddress, type LimitCounter, type LimitName, type SigningLimitCounter } from "./signing-limits.server";
import { containsWebAddress, hasVisibleLetter } from "./names";
import { withoutControlCharacters } from "./control-characters";
import { checkbox, optionalText } from "./validation";

export { signatureFields, signatureLimits, signFormHiddenFields };
export type { SignatureField, SignatureFieldErrors, SignatureFormFields };

/** No signature gets more emails than this, so the form cannot be used to flood an inbox. */
export const maxEmailsPerSignature = 5;


/**
 * What a supporter types into the sign form. Error messages are message ids so that the
 * form shows them in the reader's language.
 */
export const signatureInputSchema = z.object({
  fullName: z
    .string({ error: "errors.fullNameRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.fullNameRequired" satisfies MessageId })
    .max(signatureLimits.fullName, { error: "errors.fullNameTooLong" satisfies MessageId })
    .refine(hasVisibleLetter, { error: "errors.fullNameNoLetters" satisfies MessageId })
    .refine((name) => !containsWebAddress(name), { error: "errors.fullNameHasWebAddress" satisfies MessageId }),
  email: z
    .string({ error: "errors.emailRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.emailRequired" satisfies MessageId })
    .max(signatureLimits.email, { error: "errors.emailInvalid" satisfies MessageId })
    .pipe(z.email({ error: "errors.emailInvalid" satisfies MessageId })),
  role: optionalText(signatureLimits.role, "errors.roleTooLong"),
  country: z
    .string()
    .trim()
    .transform((value) => (value === "" ? null : value.toUpperCase()))
    .refine((value) => value === null || isCountryCode(value), { error: "errors.countryInvalid" satisfies MessageId })
    .nullable()
    .default(null),
  city: optionalText(signatureLimits.city, "errors.cityTooLong"),
  comment: optionalText(signatureLimits.comment, "errors.commentTooLong"),
  showPublicly: checkbox,
  wantsUpdates: checkbox,
  acceptPrivacy: checkbox.refine((accepted) => accepted, { error: "errors.privacyRequired" satisfies MessageId }),
});

export type SignatureInput = z.infer<typeof signatureInputSchema>;

export type ValidatedSignature =
  | { ok: true; input: SignatureInput }
  | { ok: false; fieldErrors: SignatureFieldErrors };

export function validateSignature(raw: Record<string, unknown>): ValidatedSignature {
  const parsed = signatureInputSchema.safeParse(withoutControlCharacters(raw));
  if (parsed.success) return { ok: true, input: parsed.data };
  const fieldErrors: SignatureFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as SignatureField;
    if (fieldErrors[field]) continue; // the first problem with a field is the one to fix first
    const max = issue.code === "too_big" ? Number(issue.maximum) : undefined;
    fieldErrors[field] = { id: issue.message as MessageId, ...(max === undefined ? {} : { max }) };
  }
  return { ok: false, fieldErrors };
}

export type SignOutcome = {
  /** Only for tests and logs: the page a person sees is the same whatever happened. */
  signatureId: string;
  emailQueued: SignatureEmailKind | null;
  /** Why it was held, if it was: as the submission came, or as its screening decided. */
  held: HoldReason | null;
};

/** Where a submission came from and what it agreed to, recorded with the signature. */
export type SubmissionOrigin = {
  locale: string;
  /** The client's network address (behind TRUST_PROXY); kept for moderation, erased after a while. */
  networkAddress?: string | null;
  userAgent?: string | null;
  /** Set when the submission is to be held rather than confirmed (a limit, the block list, timing). */
  holdReason?: HoldReason | null;
  /**
   * Checks the statement that writes the submission makes first, holding it when one says so:
   * its counters for the signing limits go up, and it is looked for on the block list. Made in
   * that statement, they add no round trip and no commit of their own to a signature.
   */
  screening?: Screening | null;
};

export type Screening = { limitCounters: LimitCounter[]; blockList: BlockListSubject };

export type HoldReason = LimitName | "blocked" | "too-fast" | "no-form";

/** What a submission stores about the signer and their consent. */
function signatureDetails(input: SignatureInput, origin: SubmissionOrigin) {
  return {
    fullName: input.fullName,
    email: input.email,
    role: input.role,
    country: input.country,
    city: input.city,
    comment: input.comment,
    showPublicly: input.showPublicly,
    wantsUpdates: input.wantsUpdates,
    locale: origin.locale,
    networkAddress: origin.networkAddress && isNetworkAddress(origin.networkAddress) ? origin.networkAddress : null,
    userAgent: origin.userAgent ? origin.userAgent.slice(0, 400) : null,
    privacyNoticeVersion,
    consentTextVersion,
    consentedAt: new Date(),
  };
}

type Submission = { appealId: string; emailCanonical: string; details: ReturnType<typeof signatureDetails>; held: HoldReason | null; screening: Screening | null };

/** What writing a submission did: the same for every state an address can be in, in one statement. */
type WrittenSubmission = {
  signatureId: string;
  outcome: "new" | "restarted" | "resent" | "reminded" | "unchanged" | "held";
};

/** Whether a submission is held (as it came, or as its screening decided), and what was written, if anything was. */
type JudgedSubmission = { held: HoldReason | null; written: WrittenSubmission | null };

/**
 * Submissions (one or several), in one statement and one commit, with one call adding all their
 * jobs: first screened (signing limits counted, the block list asked), then written by the
 * rules signAppeal lists: a first signature is inserted; an address that has signed
 * before gets a fresh start, the confirmation again, or an email saying it has signed. Both in
 * the same statement, so that how long the answer takes does not tell whether an address has
 * signed: when the second kind took a transaction of its own, it took 6.7 ms where the first
 * took 2.8, and one held submission (which sends no email) told the two apart 97 % of the time.
 *
 * Several inputs of one batch for the same address are one submission sent twice at once: one
 * is written (a clean one before a held one) and the others share its answer and its email.
 * Each input gets whether it is held and what was done, or null for the latter when the address's
 * row was written after the statement began, by a submission in another batch (or was erased by
 * a withdrawal meanwhile): signAppeal then runs it again, screened already, and the next
 * statement sees how things stand.
 */
async function writeSubmissions(db: Database, rows: Submission[]): Promise<JudgedSubmission[]> {
  const column = <T,>(pick: (row: Submission, index: number) => T) => rows.map(pick);
  const results = await queryDirect<{ ordinal: number | null; heldReason: HoldReason | null; id: string | null; outcome: WrittenSubmission["outcome"] | null }>(db, sql`
    -- prepared: write-submissions
    WITH submitted AS (
      SELECT * FROM unnest(
        ${column((row) => row.appealId)}::uuid[], ${column((row) => row.emailCanonical)}::text[], ${column((row) => row.details.fullName)}::text[],
        ${column((row) => row.details.email)}::text[], ${column((row) => row.details.role)}::text[], ${column((row) => row.details.country)}::text[],
        ${column((row) => row.details.city)}::text[], ${column((row) => row.details.comment)}::text[], ${column((row) => row.details.showPublicly)}::boolean[],
        ${column((row) => row.details.wantsUpdates)}::boolean[], ${column((row) => row.details.locale)}::text[], ${column((row) => row.details.networkAddress)}::inet[],
        ${column((row) => row.details.userAgent)}::text[], ${column((row) => row.details.privacyNoticeVersion)}::text[], ${column((row) => row.details.consentTextVersion)}::text[],
        ${column((row) => row.details.consentedAt.toISOString())}::timestamptz[], ${column((row) => row.held)}::text[], ${column((_, index) => index)}::int[]
      ) AS submitted("appealId", "emailCanonical", "fullName", email, role, country, city, comment, "showPublicly", "wantsUpdates",
                 locale, "networkAddress", "userAgent", "privacyNoticeVersion", "consentTextVersion", "consentedAt", "presetHold", ordinal)
    ),
    -- Screening comes first: every signature row this statement writes or locks comes from
    -- "chosen", which needs every submission's hold, and "input" below reads all of the counters
    -- before it has its first row (the count, whether or not any submission is looked up in
    -- "overLimit"). So the counters are locked, in key order, before any signature, in theirs,
    -- and no two statements wait on each other in a circle. Counted before deciding, so a burst
    -- counts in full however it is answered.
    ${countSigningLimits(column((row) => row.screening?.limitCounters ?? []))},
    ${findBlockedSubmissions(column((row) => row.screening?.blockList ?? null))},
    -- Why each submission is held, if it is: the block list first, then the first limit it went
    -- over, then the hold it came with (the time the form took, or an earlier statement's screening).
    input AS MATERIALIZED (
      SELECT submitted.*, CASE WHEN blocked.ordinal IS NOT NULL THEN 'blocked' ELSE coalesce("overLimit"."limitName", submitted."presetHold") END AS "heldReason"
      FROM submitted
      CROSS JOIN (SELECT count(*) FROM "limitCounts") AS "everyCounterFirst"
      LEFT JOIN blocked ON blocked.ordinal = submitted.ordinal
      LEFT JOIN "overLimit" ON "overLimit".ordinal = submitted.ordinal
    ),
    -- One input for each address: a clean one before a held one (a held submission must not
    -- stand in for a real one sent at the same moment), then the earliest.
    chosen AS MATERIALIZED (
      SELECT DISTINCT ON ("appealId", "emailCanonical") * FROM input
      ORDER BY "appealId", "emailCanonical", "heldReason" IS NOT NULL, ordinal
    ),
    inserted AS (
      INSERT INTO "Signature" (id, "appealId", "emailCanonical", "fullName", email, role, country, city, comment, "showPublicly", "wantsUpdates",
                               locale, "networkAddress", "userAgent", "privacyNoticeVersion", "consentTextVersion", "consentedAt",
                               status, "heldReason", "emailsSent")
      SELECT gen_random_uuid(), "appealId", "emailCanonical", "fullName", email, role, country, city, comment, "showPublicly", "wantsUpdates",
             locale, "networkAddress", "userAgent", "privacyNoticeVersion", "consentTextVersion", "consentedAt",
             CASE WHEN "heldReason" IS NULL THEN 'PENDING' ELSE 'HELD' END::"SignatureStatus", "heldReason", CASE WHEN "heldReason" IS NULL THEN 1 ELSE 0 END
      -- One order for every batch, so two batches holding the same addresses never wait on each
      -- other in a circle.
      FROM chosen ORDER BY "appealId", "emailCanonical"
      ON CONFLICT ("appealId", "emailCanonical") DO NOTHING
      RETURNING id, "appealId", "emailCanonical", "heldReason"
    ),
    -- Addresses that had a signature when the statement began.
    earlier AS MATERIALIZED (
      SELECT chosen.*, "Signature".id AS "signatureId"
      FROM chosen JOIN "Signature" ON "Signature"."appealId" = chosen."appealId" AND "Signature"."emailCanonical" = chosen."emailCanonical"
    ),
    -- Their rows as they are now, locked in the order of their ids (decision 030). A held
    -- submission never touches a signature that exists, so its row is left alone.
    locked AS MATERIALIZED (
      SELECT id, "appealId", "emailCanonical", status, "invalidatedFrom", "emailsSent" FROM "Signature"
      WHERE id = ANY(ARRAY(SELECT "signatureId" FROM earlier WHERE "heldReason" IS NULL))
      ORDER BY id FOR NO KEY UPDATE
    ),
    -- Only rows still of the same address: a withdrawal that committed meanwhile erased the
    -- address from its row (erasure.server.ts), and that signature must stay erased; the input
    -- is then left to the next statement, which finds no row and starts a new one.
    repeats AS MATERIALIZED (
      SELECT earlier.*, CASE
          WHEN locked.status IN ('WITHDRAWN', 'HELD') THEN 'restarted'
          WHEN locked."emailsSent" >= ${maxEmailsPerSignature} THEN 'unchanged'
          -- An invalidated signature is answered as what it was, and stays invalidated.
          WHEN locked.status = 'PENDING' OR (locked.status = 'INVALIDATED' AND locked."invalidatedFrom" = 'PENDING') THEN 'resent'
          ELSE 'reminded'
        END AS outcome
      FROM earlier JOIN locked ON locked.id = earlier."signatureId" AND locked."appealId" = earlier."appealId" AND locked."emailCanonical" = earlier."emailCanonical"
    ),
    -- A fresh start after a withdrawal or a held attempt, or the confirmation again for one still
    -- waiting: either way the latest submission is what the person will confirm.
    refreshed AS (
      UPDATE "Signature" SET
        "fullName" = repeats."fullName", email = repeats.email, role = repeats.role, country = repeats.country, city = repeats.city,
        comment = repeats.comment, "showPublicly" = repeats."showPublicly", "wantsUpdates" = repeats."wantsUpdates", locale = repeats.locale,
        "networkAddress" = repeats."networkAddress", "userAgent" = repeats."userAgent", "privacyNoticeVersion" = repeats."privacyNoticeVersion",
        "consentTextVersion" = repeats."consentTextVersion", "consentedAt" = repeats."consentedAt",
        "emailsSent" = CASE WHEN repeats.outcome = 'restarted' THEN 1 ELSE "Signature"."emailsSent" + 1 END,
        status = CASE WHEN repeats.outcome = 'restarted' THEN 'PENDING' ELSE "Signature".status END,
        "heldReason" = CASE WHEN repeats.outcome = 'restarted' THEN NULL ELSE "Signature"."heldReason" END,
        "confirmedAt" = CASE WHEN repeats.outcome = 'restarted' THEN NULL ELSE "Signature"."confirmedAt" END,
        "withdrawnAt" = CASE WHEN repeats.outcome = 'restarted' THEN NULL ELSE "Signature"."withdrawnAt" END,
        "createdAt" = CASE WHEN repeats.outcome = 'restarted' THEN now() ELSE "Signature"."createdAt" END
      FROM repeats
      WHERE "Signature".id = ANY(ARRAY(SELECT "signatureId" FROM repeats WHERE outcome IN ('restarted', 'resent')))
        AND "Signature".id = repeats."signatureId"
      RETURNING "Signature".id, repeats.ordinal, repeats.outcome
    ),
    -- Links from before a fresh start stop working.
    "forgottenTokens" AS (DELETE FROM "SignatureToken" WHERE "signatureId" = ANY(ARRAY(SELECT id FROM refreshed WHERE outcome = 'restarted'))),
    reminded AS (
      UPDATE "Signature" SET "emailsSent" = "Signature"."emailsSent" + 1
      FROM repeats
      WHERE "Signature".id = ANY(ARRAY(SELECT "signatureId" FROM repeats WHERE outcome = 'reminded'))
        AND "Signature".id = repeats."signatureId"
      RETURNING "Signature".id, repeats.ordinal, repeats.outcome
    ),
    emails AS (
      SELECT id, 'confirm-signature' AS kind FROM inserted WHERE "heldReason" IS NULL
      UNION ALL SELECT id, 'confirm-signature' FROM refreshed
      UNION ALL SELECT id, 'already-signed' FROM reminded
    ),
    -- What each chosen input came to, from what the statement wrote (or left alone on purpose).
    decided AS (
      SELECT inserted.id AS "signatureId", chosen."appealId", chosen."emailCanonical", chosen.ordinal, 'new' AS outcome
        FROM inserted JOIN chosen USING ("appealId", "emailCanonical")
      UNION ALL SELECT id, NULL, NULL, ordinal, outcome FROM refreshed
      UNION ALL SELECT id, NULL, NULL, ordinal, outcome FROM reminded
      UNION ALL SELECT "signatureId", "appealId", "emailCanonical", ordinal, outcome FROM repeats WHERE outcome = 'unchanged'
      UNION ALL SELECT "signatureId", "appealId", "emailCanonical", ordinal, 'held' FROM earlier WHERE "heldReason" IS NOT NULL
    ),
    answered AS MATERIALIZED (
      SELECT decided."signatureId", input.ordinal,
             -- Other inputs for the same address are the same submission sent twice at once: one email answers them all.
             CASE WHEN input.ordinal = decided.ordinal THEN decided.outcome WHEN input."heldReason" IS NOT NULL THEN 'held' ELSE 'unchanged' END AS outcome
      FROM decided JOIN chosen ON chosen.ordinal = decided.ordinal
      JOIN input ON input."appealId" = chosen."appealId" AND input."emailCanonical" = chosen."emailCanonical"
    ),
    queued AS MATERIALIZED (
      -- A record in the write-ahead log even when nothing was written (a held submission for an
      -- address that has signed, or one past its emails), so that its commit waits for the disk as
      -- a new row's does: a transaction that wrote nothing commits without waiting, and came back
      -- sooner than one that signed.
      SELECT ${signatureEmailJobsForEmails()} AS jobs, pg_logical_emit_message(true, 'undersign', '') AS logged
    )
    -- queued first, so its jobs are added even if nothing is answered.
    SELECT input.ordinal, input."heldReason", answered."signatureId"::text AS id, answered.outcome
    FROM queued LEFT JOIN (input LEFT JOIN answered ON answered.ordinal = input.ordinal) ON true`);
  const judged: JudgedSubmission[] = rows.map((row) => ({ held: row.held, written: null }));
  for (const result of results) {
    if (result.ordinal === null) continue;
    judged[result.ordinal] = {
      held: result.heldReason,
      written: result.id !== null && result.outcome !== null ? { signatureId: result.id, outcome: result.outcome } : null,
    };
  }
  return judged;
}

/** Submissions go through group commit (infra/group-commit.ts), one writer per database client. */
const writeSubmission = /* @__PURE__ */ gatherPerDatabase(writeSubmissions);

const emailOfOutcome: Record<WrittenSubmission["outcome"], SignatureEmailKind | null> = {
  new: "confirm-signature",
  restarted: "confirm-signature",
  resent: "confirm-signature",
  reminded: "already-signed",
  unchanged: null,
  held: null,
};

/**
 * Someone submits the sign form. Whatever the state of their address they see the same page,
 * after the same work (one statement, decision 035), and the email tells them the rest; so
 * neither the form nor the time it takes reveals whether an address has signed.
 *
 * - A new address: a signature waiting for confirmation, and an email asking for it.
 * - Withdrawn, or held before: a fresh start, as if new; links sent before stop working.
 * - Waiting for confirmation: the latest details replace the earlier, and the email comes again.
 * - Confirmed: an email saying it has signed; nothing counts twice.
 * - Invalidated by a moderator: answered as what it was before, and it stays invalidated.
 * - No address gets more than `maxEmailsPerSignature` emails about one signature.
 *
 * A held submission is recorded but sends nothing and changes nothing that exists: it waits for
 * an organizer (releaseHeldSignatures). The signature row and the job that emails it are
 * written in one transaction.
 */
export async function signAppeal(db: Database, appealId: string, input: SignatureInput, origin: SubmissionOrigin): Promise<SignOutcome> {
  const emailCanonical = canonicalEmail(input.email);
  const details = signatureDetails(input, origin);
  let held = origin.holdReason ?? null;
  let screening = origin.screening ?? null;

  // One statement, gathered with the other submissions of the moment into one commit, screens
  // the submission and writes the signature or changes the one there was, with its email's job.
  // What it cannot decide alone — the address's row was written after it began, by another
  // submission of the same moment — the next statement can, since that row is then there to
  // see; it takes the screening's verdict as it stands, so nothing is counted twice.
  for (let statements = 0; statements < 3; statements++) {
    let judged: JudgedSubmission;
    try {
      judged = await writeSubmission(db, { appealId, emailCanonical, details, held, screening });
    } catch (error) {
      // Chosen to break a deadlock (with a statement that locks in another order, such as the
      // limits' cleanup of expired counters): rolled back whole, so it is simply written again.
      if (isDeadlock(error) && statements < 2) continue;
      throw error;
    }
    held = judged.held;
    screening = null;
    if (judged.written) {
      return { signatureId: judged.written.signatureId, emailQueued: held ? null : emailOfOutcome[judged.written.outcome], held };
    }
  }
  throw new Error("a submission could not be written: its address's row kept changing under it");
}

export type SubmissionOutcome =
  | { kind: "notFound" }
  | { kind: "closed"; fields: SignatureFormFields }
  | { kind: "invalid"; fields: SignatureFormFields; fieldErrors: SignatureFieldErrors }
  /** Proof of work is required now and was not done ("missing": no JavaScript) or did not hold. */
  | { kind: "proofOfWorkNeeded"; fields: SignatureFormFields; problem: "missing" | "failed" }
  /** The thanks page, whatever happened behind it: signed, held, or a bot's honeypot. */
  | { kind: "accepted"; slug: string; signatureId: string | null; held: HoldReason | null };

export type SubmissionChecks = {
  limits: SigningLimitCounter;
  /** The app's secret, which signs the form's issue time. */
  secret: string;
  /** A form sent back sooner than this after it was handed out is held. */
  minimumFillTimeMs: number;
};

/**
 * The whole rule for a submitted sign form, in order: an appeal that takes signatures; the
 * honeypot (filled by form-filling bots: they get the thanks page and nothing is stored);
 * validation (field errors); proof of work where the appeal asks for it (always, or from an
 * address nearing its limits); then limits, the block list and the time taken, any of which
 * holds the signature instead of refusing it — the answer is the same thanks page.
 */
export async function submitSignature(db: Database, checks: SubmissionChecks, slug: string, form: Map<string, string>, origin: SubmissionOrigin & { clientAddress: string; now?: number }): Promise<SubmissionOutcome> {
  const appeal = await findSignableAppeal(db, slug);
  if (!appeal) return { kind: "notFound" };
  if (form.get(signFormHiddenFields.honeypot)) return { kind: "accepted", slug: appeal.slug, signatureId: null, held: null };
  // Only the form's own fields are echoed back into the page.
  const fields: SignatureFormFields = Object.fromEntries(signatureFields.flatMap((name) => (form.has(name) ? [[name, form.get(name)!]] : [])));
  if (!appeal.acceptsSignatures) return { kind: "closed", fields };
  const validated = validateSignature(fields);
  if (!validated.ok) return { kind: "invalid", fields, fieldErrors: validated.fieldErrors };

  if (appeal.proofOfWork !== "OFF") {
    const required = appeal.proofOfWork === "ALWAYS" || (await checks.limits.isNearLimit(appeal, origin.clientAddress));
    if (required) {
      const verdict = await verifyProofOfWork(db, checks.secret, form.get(proofOfWorkField));
      if (verdict !== "ok") return { kind: "proofOfWorkNeeded", fields, problem: verdict === "missing" ? "missing" : "failed" };
    }
  }

  // The limits and the block list are asked by the statement that writes the signature.
  const subject = { clientAddress: origin.clientAddress, emailCanonical: canonicalEmail(validated.input.email) };
  const screening: Screening = { limitCounters: checks.limits.countersFor(appeal, subject), blockList: subject };
  const timing = judgeFillTime(readFormToken(checks.secret, form.get(signFormHiddenFields.issuedAt)), checks.minimumFillTimeMs, origin.now);
  const outcome = await signAppeal(db, appeal.id, validated.input, {
    ...origin,
    networkAddress: origin.networkAddress ?? origin.clientAddress,
    holdReason: timing === "ok" ? null : timing,
    screening,
  });
  return { kind: "accepted", slug: appeal.slug, signatureId: outcome.signatureId, held: outcome.held };
}

/**
 * An organizer releases held signatures: each becomes a signature waiting for its confirmation,
 * and its confirmation email goes out. Only HELD signatures of this appeal are touched.
 */
export async function releaseHeldSignatures(db: Database, organizer: SignedInOrganizer, appealId: string, signatureIds: string[]): Promise<number> {
  const ids = signatureIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  return db.$transaction(async (tx) => {
    const released = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "Signature" SET status = 'PENDING', "heldReason" = NULL, "emailsSent" = 1
      WHERE "appealId" = ${appealId}::uuid AND status = 'HELD' AND id = ANY(${ids}::uuid[])
      RETURNING id`;
    for (const { id } of released) await enqueueSignatureEmail(tx, { signatureId: id, kind: "confirm-signature" });
    if (released.length > 0) await recordAudit(tx, { actor: organizer, action: "signatures.released", appealId, details: { count: released.length } });
    return released.length;
  });
}

/** An organizer discards held signatures: they are deleted, as if never sent. */
export async function discardHeldSignatures(db: Database, organizer: SignedInOrganizer, appealId: string, signatureIds: string[]): Promise<number> {
  const ids = signatureIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  return db.$transaction(async (tx) => {
    const discarded = await tx.$executeRaw`DELETE FROM "Signature" WHERE "appealId" = ${appealId}::uuid AND status = 'HELD' AND id = ANY(${ids}::uuid[])`;
    if (discarded > 0) await recordAudit(tx, { actor: organizer, action: "signatures.discarded", appealId, details: { count: discarded } });
    return discarded;
  });
}

/** How long a confirmation link works. Long enough for a holiday; signing again sends a new one. */
export const confirmationLinkLifetimeMs = 30 * 24 * 60 * 60 * 1000;

export type ConfirmationView = {
  signatureId: string;
  fullName: string;
  showPublicly: boolean;
  confirmed: boolean;
  /** The appeal closed more than a day ago: a signature not yet confirmed can no longer be. */
  tooLateToConfirm: boolean;
  appeal: { id: string; slug: string; title: string; closedAt: Date | null };
};

/**
 * After pressing "Confirm": `withdrawToken` is the withdraw link's token for the page that has just
 * confirmed the signature, the only place it is shown; so it is made once, by the press that
 * confirms, and a confirmation link cannot be used to pile up tokens. Pressing again gets null
 * (the link is also in every email).
 */
export type Confirmation = ConfirmationView & { withdrawToken: string | null };

type ConfirmationRow = {
  purpose: string;
  expiresAt: Date;
  signatureId: string;
  fullName: string;
  showPublicly: boolean;
  status: "PENDING" | "CONFIRMED" | "WITHDRAWN" | "HELD" | "INVALIDATED";
  invalidatedFrom: "PENDING" | "CONFIRMED" | null;
  appealId: string;
  slug: string;
  defaultLocale: string;
  appealStatus: string;
  closedAt: Date | null;
  closesAt: Date | null;
  translations: { locale: string; title: string }[];
};

/** The rows behind these token hashes (hex), in their order; null where there is none. */
async function findConfirmationRows(db: Database, tokenHashes: string[]): Promise<(ConfirmationRow | null)[]> {
  const rows = await queryDirect<ConfirmationRow & { tokenHash: string }>(db, sql`
    -- prepared: find-confirmations
    SELECT wanted.hash AS "tokenHash", t.purpose::text AS purpose, t."expiresAt", s.id AS "signatureId", s."fullName", s."showPublicly",
           s.status::text AS status, s."invalidatedFrom"::text AS "invalidatedFrom", a.id AS "appealId", a.slug, a."defaultLocale",
           a.status::text AS "appealStatus", a."closedAt", a."closesAt",
           (SELECT json_agg(json_build_object('locale', tr.locale, 'title', tr.title))
              FROM "AppealTranslation" tr WHERE tr."appealId" = a.id) AS translations
    FROM unnest(${tokenHashes}::text[]) AS wanted(hash)
    JOIN "SignatureToken" t ON t."tokenHash" = decode(wanted.hash, 'hex')
    JOIN "Signature" s ON s.id = t."signatureId"
    JOIN "Appeal" a ON a.id = s."appealId"`);
  const byHash = new Map(rows.map(({ tokenHash, ...row }) => [tokenHash, row]));
  return tokenHashes.map((hash) => byHash.get(hash) ?? null);
}

/** Links opened and pressed together are looked up together (group reads, infra/group-commit.ts). */
const findConfirmationRow = /* @__PURE__ */ gatherPerDatabase(findConfirmationRows);

/** What the confirmation page shows before the button is pressed. Changes nothing. */
export async function findConfirmation(db: Database, token: string, locale: string): Promise<ConfirmationView | null> {
  if (!looksLikeToken(token)) return null;
  // One round trip, shared with the other links of the moment: this is what a spike of confirmations hits.
  const found = await findConfirmationRow(db, Buffer.from(hashToken(token)).toString("hex"));
  if (!found || found.purpose !== "CONFIRM") return null;
  // An invalidated signature looks like what it was (moderation.server.ts): a bot learns nothing.
  const status = found.status === "INVALIDATED" ? (found.invalidatedFrom ?? "PENDING") : found.status;
  if (status === "WITHDRAWN" || status === "HELD") return null;
  // A used link keeps working so that pressing the button twice shows the same success page.
  if (status === "PENDING" && found.expiresAt.getTime() < Date.now()) return null;
  const translation = pickTranslation(found.translations ?? [], locale, found.defaultLocale);
  const now = new Date();
  return {
    signatureId: found.signatureId,
    fullName: found.fullName,
    showPublicly: found.showPublicly,
    confirmed: status === "CONFIRMED",
    tooLateToConfirm: !acceptsConfirmations({ status: found.appealStatus, closedAt: found.closedAt, closesAt: found.closesAt }, now),
    appeal: { id: found.appealId, slug: found.slug, title: translation?.title ?? found.slug, closedAt: effectiveClosingTime({ status: found.appealStatus, closedAt: found.closedAt, closesAt: found.closesAt }, now) },
  };
}

/**
 * The person pressed "Confirm my signature". From now on the signature counts and, if they
 * chose so, is listed. Pressing again changes nothing and reports the same success.
 */
export async function confirmSignature(db: Database, token: string, locale: string): Promise<Confirmation | null> {
  const view = await findConfirmation(db, token, locale);
  if (!view) return null;
  if (view.confirmed || view.tooLateToConfirm) return { ...view, withdrawToken: null };
  // Only the statement that moves PENDING to CONFIRMED counts it, so a double press or two
  // tabs count once; it also stores the withdraw link that this one success page shows.
  const withdrawal = newWithdrawalToken(view.signatureId);
  if (await confirmAndCount(db, view.signatureId, withdrawal.row)) return { ...view, confirmed: true, withdrawToken: withdrawal.token };
  // Invalidated while pending: remembered as confirmed, not counted.
  if (await confirmWhileInvalidated(db, view.signatureId)) return { ...view, confirmed: true, withdrawToken: null };
  // Someone else confirmed it a moment ago (fine), or it was withdrawn meanwhile (not fine).
  const current = await db.signature.findUnique({ where: { id: view.signatureId }, select: { status: true } });
  return current?.status === "CONFIRMED" || current?.status === "INVALIDATED" ? { ...view, confirmed: true, withdrawToken: null } : null;
}

export type HeldSignature = { id: string; fullName: string; email: string | null; heldReason: string | null; createdAt: Date; networkAddress: string | null };

/** Held signatures of an appeal, newest first, for the organizers who decide about them. */
export async function listHeldSignatures(db: DatabaseOrTransaction, appealId: string, options: { limit: number }): Promise<{ signatures: HeldSignature[]; total: number }> {
  const [signatures, total] = await Promise.all([
    db.signature.findMany({
      where: { appealId, status: "HELD" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: options.limit,
      select: { id: true, fullName: true, email: true, heldReason: true, createdAt: true, networkAddress: true },
    }),
    db.signature.count({ where: { appealId, status: "HELD" } }),
  ]);
  return { signatures, total };
}
