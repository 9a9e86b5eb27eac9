import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { enqueueOrganizerEmail, type OrganizerEmailJob } from "~/infra/queue/outbox.server";
import { recordAudit, type AuditActor } from "./audit";
import { endAllSessions, startSession, type SessionLifetimes } from "./organizer-sessions";
import { canonicalOrganizerEmail, type OrganizerRole, type SignedInOrganizer } from "./organizers";
import { hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from "./passwords.server";
import type { SignInThrottle } from "./sign-in-throttle";
import { createToken, hashToken, looksLikeToken } from "./tokens";
import { validate, type FieldErrors } from "./validation";

/**
 * Organizer accounts: the first one from the command line, the others invited by an owner;
 * signing in (throttled), links to set or reset a password (single use, stored hashed), and
 * removal. Every change of organizers is written to the audit log.
 */
export const passwordLinkLifetimes = {
  /** Printed by `npm run organizer -- create`: long enough to open it tomorrow. */
  commandLine: 24 * 3_600_000,
  invitation: 7 * 24 * 3_600_000,
  /** "Forgot password": an hour, as most services do. */
  reset: 3_600_000,
} as const;

export const organizerInputSchema = z.object({
  email: z
    .string({ error: "errors.emailRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.emailRequired" satisfies MessageId })
    .max(254, { error: "errors.emailInvalid" satisfies MessageId })
    .pipe(z.email({ error: "errors.emailInvalid" satisfies MessageId })),
  name: z
    .string({ error: "errors.organizerNameRequired" satisfies MessageId })
    .trim()
    .min(1, { error: "errors.organizerNameRequired" satisfies MessageId })
    .max(120, { error: "errors.tooLong" satisfies MessageId }),
  role: z.enum(["OWNER", "EDITOR"], { error: "errors.roleRequired" satisfies MessageId }),
});
export type OrganizerInput = z.infer<typeof organizerInputSchema>;

type AccountCreation = { ok: true; organizerId: string } | { ok: false; fieldErrors: FieldErrors };

/**
 * A new organizer, or one removed earlier and now back. An address that already belongs to an
 * active organizer is refused (field error on email).
 */
async function createAccount(db: DatabaseOrTransaction, input: OrganizerInput): Promise<AccountCreation> {
  const emailCanonical = canonicalOrganizerEmail(input.email);
  const existing = await db.organizer.findUnique({ where: { emailCanonical }, select: { id: true, removedAt: true } });
  if (existing && !existing.removedAt) return { ok: false, fieldErrors: { email: { id: "errors.organizerExists" } } };
  const data = { email: input.email.trim(), emailCanonical, name: input.name, role: input.role, passwordHash: null, removedAt: null };
  const organizer = existing
    ? await db.organizer.update({ where: { id: existing.id }, data, select: { id: true } })
    : await db.organizer.create({ data, select: { id: true } });
  return { ok: true, organizerId: organizer.id };
}

async function createPasswordLink(db: DatabaseOrTransaction, organizerId: string, purpose: "SET_PASSWORD" | "RESET_PASSWORD", lifetimeMs: number): Promise<string> {
  const { token, tokenHash } = createToken();
  await db.organizerToken.create({ data: { tokenHash, organizerId, purpose, expiresAt: new Date(Date.now() + lifetimeMs) } });
  return token;
}

export const passwordLinkPath = (token: string) => `/password/${token}`;

/**
 * `npm run organizer -- create`: the first organizer (an owner unless told otherwise), or any
 * other. Returns the one-time link path to set a password; no password ever passes through
 * the command line.
 */
export async function createOrganizerFromCommandLine(db: Database, raw: { email: string; name: string; role?: string }) {
  const validated = validate(organizerInputSchema, { ...raw, role: (raw.role ?? "owner").toUpperCase() });
  if (!validated.ok) return validated;
  return db.$transaction(async (tx) => {
    const created = await createAccount(tx, validated.value);
    if (!created.ok) return created;
    const token = await createPasswordLink(tx, created.organizerId, "SET_PASSWORD", passwordLinkLifetimes.commandLine);
    await recordAudit(tx, {
      actor: { system: "command line" },
      action: "organizer.created",
      subject: validated.value.email,
      details: { role: validated.value.role },
    });
    return { ok: true as const, linkPath: passwordLinkPath(token), lifetimeMs: passwordLinkLifetimes.commandLine };
  });
}

/** `npm run organizer -- link`: a new link for an organizer who cannot sign in (e.g. the only owner forgot). */
export async function createPasswordLinkFromCommandLine(db: Database, email: string): Promise<{ linkPath: string; lifetimeMs: number } | null> {
  const organizer = await db.organizer.findUnique({ where: { emailCanonical: canonicalOrganizerEmail(email) }, select: { id: true, email: true, removedAt: true, passwordHash: true } });
  if (!organizer || organizer.removedAt) return null;
  const purpose = organizer.passwordHash ? "RESET_PASSWORD" : "SET_PASSWORD";
  const token = await createPasswordLink(db, organizer.id, purpose, passwordLinkLifetimes.commandLine);
  return { linkPath: passwordLinkPath(token), lifetimeMs: passwordLinkLifetimes.commandLine };
}

/** An owner invites someone: the account waits for its password; the email goes through the outbox. */
export async function inviteOrganizer(db: Database, owner: SignedInOrganizer, raw: Record<string, unknown>): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(organizerInputSchema, raw);
  if (!validated.ok) return validated;
  return db.$transaction(async (tx) => {
    const created = await createAccount(tx, validated.value);
    if (!created.ok) return created;
    await enqueueOrganizerEmail(tx, { kind: "invitation", organizerId: created.organizerId, invitedBy: owner.name });
    await recordAudit(tx, { actor: owner, action: "organizer.invited", subject: validated.value.email, details: { role: validated.value.role } });
    return { ok: true as const };
  });
}

export type OrganizerListItem = { id: string; name: string; email: string; role: OrganizerRole; hasPassword: boolean; createdAt: Date };

export async function listOrganizers(db: DatabaseOrTransaction): Promise<OrganizerListItem[]> {
  const organizers = await db.organizer.findMany({
    where: { removedAt: null },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    select: { id: true, name: true, email: true, role: true, passwordHash: true, createdAt: true },
  });
  return organizers.map(({ passwordHash, ...organizer }) => ({ ...organizer, hasPassword: passwordHash !== null }));
}

export type RemovalOutcome = "removed" | "notFound" | "self" | "lastOwner";

/**
 * An owner removes an organizer: their sessions and links end at once; the account stays,
 * without a password, so the audit log keeps naming them. Nobody removes themselves here, and
 * the last owner stays (someone must be able to manage organizers).
 */
export async function removeOrganizer(db: Database, owner: SignedInOrganizer, organizerId: string): Promise<RemovalOutcome> {
  if (organizerId === owner.id) return "self";
  return db.$transaction(async (tx) => {
    const target = await tx.organizer.findFirst({ where: { id: organizerId, removedAt: null }, select: { id: true, email: true, role: true } });
    if (!target) return "notFound";
    if (target.role === "OWNER") {
      const owners = await tx.organizer.count({ where: { role: "OWNER", removedAt: null } });
      if (owners <= 1) return "lastOwner";
    }
    await tx.organizer.update({ where: { id: target.id }, data: { removedAt: new Date(), passwordHash: null } });
    await endAllSessions(tx, target.id);
    await tx.organizerToken.deleteMany({ where: { organizerId: target.id } });
    await recordAudit(tx, { actor: owner, action: "organizer.removed", subject: target.email, details: { role: target.role } });
    return "removed" as const;
  });
}

// ---------------------------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------------------------

export type SignInOutcome =
  | { ok: true; organizer: SignedInOrganizer; session: { token: string; expiresAt: Date } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * One answer for a wrong address and a wrong password (and they take as long), so the form
 * tells a stranger nothing about who has an account. Attempts count per account and network
 * address, per account and per address (sign-in-throttle.ts); past a limit, an attempt is refused
 * without checking the password, and the first refusal is written to the audit log.
 */
export async function signIn(
  db: Database,
  throttle: SignInThrottle,
  attempt: { email: string; password: string; clientAddress: string },
  lifetimes: SessionLifetimes,
): Promise<SignInOutcome> {
  const emailCanonical = canonicalOrganizerEmail(attempt.email);
  const counted = await throttle.attempt(emailCanonical, attempt.clientAddress);
  if (!counted.allowed) {
    // Once per full window, not per refused attempt: the log is append-only, and a stranger
    // hammering the form must not be able to fill it. The address is kept only when it is an
    // organizer's: anything else typed there (a mistyped address, anyone's address tried by a
    // stranger) is someone's personal data that an append-only log could never erase.
    if (counted.firstRefusal) {
      const account = emailCanonical && emailCanonical.length <= 254 ? await db.organizer.findUnique({ where: { emailCanonical }, select: { id: true } }) : null;
      await recordAudit(db, {
        actor: { system: "anonymous visitor" },
        action: "sign-in.throttled",
        subject: account ? emailCanonical : null,
        details: account ? { retryAfterSeconds: counted.retryAfterSeconds } : { account: "none", retryAfterSeconds: counted.retryAfterSeconds },
      });
    }
    return { ok: false, reason: "throttled", retryAfterSeconds: counted.retryAfterSeconds };
  }
  const organizer = emailCanonical
    ? await db.organizer.findUnique({ where: { emailCanonical }, select: { id: true, name: true, email: true, role: true, passwordHash: true, removedAt: true } })
    : null;
  const usable = organizer && !organizer.removedAt && organizer.passwordHash ? organizer : null;
  const passwordMatches = usable ? await verifyPassword(usable.passwordHash!, attempt.password) : await verifyAgainstDecoy(attempt.password);
  if (!usable || !passwordMatches) return { ok: false, reason: "invalid" };
  await throttle.succeeded(emailCanonical, attempt.clientAddress);
  const session = await startSession(db, usable.id, lifetimes);
  return { ok: true, organizer: { id: usable.id, name: usable.name, email: usable.email, role: usable.role }, session };
}

// ---------------------------------------------------------------------------------------------
// Password links
// ---------------------------------------------------------------------------------------------

/**
 * "Forgot password": the same answer whatever the address. The job that sends the email
 * decides whether there is anyone to send it to, so the request does the same work either way.
 */
export async function requestPasswordReset(db: Database, email: string): Promise<void> {
  const emailCanonical = canonicalOrganizerEmail(email);
  if (emailCanonical === "" || emailCanonical.length > 254) return;
  await enqueueOrganizerEmail(db, { kind: "password-reset", emailCanonical });
}

export type PasswordLinkView = { purpose: "SET_PASSWORD" | "RESET_PASSWORD"; name: string; email: string };

/** What the password page shows before anything is changed; null for an unknown, used or expired link. */
export async function findPasswordLink(db: DatabaseOrTransaction, token: string): Promise<PasswordLinkView | null> {
  if (!looksLikeToken(token)) return null;
  const link = await db.organizerToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { purpose: true, usedAt: true, expiresAt: true, organizer: { select: { name: true, email: true, removedAt: true } } },
  });
  if (!link || link.usedAt || link.expiresAt <= new Date() || link.organizer.removedAt) return null;
  return { purpose: link.purpose, name: link.organizer.name, email: link.organizer.email };
}

export type SetPasswordOutcome =
  | { ok: true; organizer: SignedInOrganizer; session: { token: string; expiresAt: Date } }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; invalidLink: true };

/**
 * Sets the password from a link. The link is used up in the same statement that checks it,
 * so two tabs cannot both use it; every other session of the organizer ends (a reset is what
 * someone does when they fear another has their password), every other outstanding link
 * stops working, this browser is signed in, and after a reset a notice is emailed.
 */
export async function setPasswordWithLink(db: Database, token: string, raw: { password: unknown; confirmation: unknown }, lifetimes: SessionLifetimes): Promise<SetPasswordOutcome> {
  const link = await findPasswordLink(db, token);
  if (!link) return { ok: false, invalidLink: true };
  const password = typeof raw.password === "string" ? raw.password : "";
  const problem = password === "" ? "errors.passwordRequired" : await passwordProblem(password, link);
  if (problem) return { ok: false, fieldErrors: { password: { id: problem, values: { min: 12, max: 128 } } } };
  if (raw.confirmation !== password) return { ok: false, fieldErrors: { confirmation: { id: "errors.passwordsDiffer" } } };
  const passwordHash = await hashPassword(password);

  return db.$transaction(async (tx) => {
    const [used] = await tx.$queryRaw<{ organizerId: string; purpose: "SET_PASSWORD" | "RESET_PASSWORD" }[]>`
      UPDATE "OrganizerToken" SET "usedAt" = now()
      WHERE "tokenHash" = ${hashToken(token)} AND "usedAt" IS NULL AND "expiresAt" > now()
      RETURNING "organizerId", purpose::text AS purpose`;
    if (!used) return { ok: false as const, invalidLink: true as const };
    const organizer = await tx.organizer.update({
      where: { id: used.organizerId },
      data: { passwordHash, passwordChangedAt: new Date() },
      select: { id: true, name: true, email: true, role: true },
    });
    await endAllSessions(tx, organizer.id);
    await tx.organizerToken.deleteMany({ where: { organizerId: organizer.id, usedAt: null } });
    const session = await startSession(tx, organizer.id, lifetimes);
    const actor: AuditActor = organizer;
    if (used.purpose === "RESET_PASSWORD") {
      await enqueueOrganizerEmail(tx, { kind: "password-changed", organizerId: organizer.id });
      await recordAudit(tx, { actor, action: "organizer.password-reset", subject: organizer.email });
    } else {
      await recordAudit(tx, { actor, action: "organizer.password-set", subject: organizer.email });
    }
    return { ok: true as const, organizer, session };
  });
}

// ---------------------------------------------------------------------------------------------
// Emails (made by the worker)
// ---------------------------------------------------------------------------------------------

export type OrganizerEmail =
  | { kind: "invitation"; to: string; name: string; invitedBy: string; link: string; expiresAt: Date }
  | { kind: "password-reset"; to: string; name: string; link: string; expiresAt: Date }
  | { kind: "password-changed"; to: string; name: string; signInUrl: string; forgotUrl: string };

/**
 * What to email for a queued job, or null when there is no one to send it to (an unknown
 * address asking for a reset, a removed organizer). Links are made here, at sending time, so
 * the token itself is never stored — the queue holds only ids and addresses.
 */
export async function prepareOrganizerEmail(db: Database, job: OrganizerEmailJob, publicUrl: string): Promise<OrganizerEmail | null> {
  if (job.kind === "password-reset") {
    const organizer = await db.organizer.findUnique({ where: { emailCanonical: job.emailCanonical }, select: { id: true, email: true, name: true, removedAt: true } });
    if (!organizer || organizer.removedAt) return null;
    const token = await createPasswordLink(db, organizer.id, "RESET_PASSWORD", passwordLinkLifetimes.reset);
    return { kind: "password-reset", to: organizer.email, name: organizer.name, link: `${publicUrl}${passwordLinkPath(token)}`, expiresAt: new Date(Date.now() + passwordLinkLifetimes.reset) };
  }
  const organizer = await db.organizer.findUnique({ where: { id: job.organizerId }, select: { id: true, email: true, name: true, removedAt: true, passwordHash: true } });
  if (!organizer || organizer.removedAt) return null;
  if (job.kind === "invitation") {
    if (organizer.passwordHash) return null; // accepted meanwhile (e.g. a link from the command line)
    const token = await createPasswordLink(db, organizer.id, "SET_PASSWORD", passwordLinkLifetimes.invitation);
    return { kind: "invitation", to: organizer.email, name: organizer.name, invitedBy: job.invitedBy, link: `${publicUrl}${passwordLinkPath(token)}`, expiresAt: new Date(Date.now() + passwordLinkLifetimes.invitation) };
  }
  return { kind: "password-changed", to: organizer.email, name: organizer.name, signInUrl: `${publicUrl}/sign-in`, forgotUrl: `${publicUrl}/forgot-password` };
}
