import type { DatabaseOrTransaction } from "~/infra/db.server";
import type { SignedInOrganizer } from "./organizers";
import { createToken, hashToken, looksLikeToken } from "./tokens";

/**
 * Signed-in browsers. The cookie holds a random token (256 bits); the database holds only its
 * SHA-256, so a copy of the database signs nobody in. A session ends after `idleMs` without use
 * and after `absoluteMs` however active it is, when its organizer is removed, when their
 * password is reset, and when they sign out.
 */
export type SessionLifetimes = { idleMs: number; absoluteMs: number };

/** lastSeenAt is moved forward at most this often, so reading a page does not always write. */
const touchIntervalMs = 60_000;

export async function startSession(db: DatabaseOrTransaction, organizerId: string, lifetimes: SessionLifetimes): Promise<{ token: string; expiresAt: Date }> {
  const { token, tokenHash } = createToken();
  const expiresAt = new Date(Date.now() + lifetimes.absoluteMs);
  await db.organizerSession.create({ data: { tokenHash, organizerId, expiresAt } });
  return { token, expiresAt };
}

export type ActiveSession = { organizer: SignedInOrganizer; expiresAt: Date };

/** The organizer a session token belongs to, or null when it is unknown, idle too long, expired or its organizer removed. */
export async function findSession(db: DatabaseOrTransaction, token: string, lifetimes: SessionLifetimes, now = new Date()): Promise<ActiveSession | null> {
  if (!looksLikeToken(token)) return null;
  const tokenHash = hashToken(token);
  const session = await db.organizerSession.findUnique({
    where: { tokenHash },
    select: { lastSeenAt: true, expiresAt: true, organizer: { select: { id: true, name: true, email: true, role: true, removedAt: true } } },
  });
  if (!session) return null;
  const idleUntil = session.lastSeenAt.getTime() + lifetimes.idleMs;
  if (session.expiresAt <= now || idleUntil <= now.getTime() || session.organizer.removedAt) {
    await db.organizerSession.deleteMany({ where: { tokenHash } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > touchIntervalMs) {
    await db.organizerSession.updateMany({ where: { tokenHash }, data: { lastSeenAt: now } });
  }
  const { id, name, email, role } = session.organizer;
  return { organizer: { id, name, email, role }, expiresAt: session.expiresAt };
}

/** Signing out ends the session on the server, not only in the browser. */
export async function endSession(db: DatabaseOrTransaction, token: string): Promise<void> {
  if (!looksLikeToken(token)) return;
  await db.organizerSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** Every session of the organizer (after a password reset, or a removal). */
export async function endAllSessions(db: DatabaseOrTransaction, organizerId: string): Promise<number> {
  return (await db.organizerSession.deleteMany({ where: { organizerId } })).count;
}
