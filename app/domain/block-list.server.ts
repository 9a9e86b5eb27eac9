import { isIP } from "node:net";
import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { gatherPerDatabase } from "~/infra/group-commit";
import { Prisma } from "~/generated/prisma/client";
import { recordAudit } from "./audit";
import { isNetworkAddress } from "./signing-limits.server";
import { canonicalEmail } from "./email-addresses";
import type { SignedInOrganizer } from "./organizers";
import { optionalText, validate, type FieldErrors } from "./validation";

/**
 * Owners' block lists: email domains, single signers (by canonical email), and network
 * addresses or ranges. A signature matching an entry is held, not refused: whoever sent it
 * sees the usual page and learns nothing, and an organizer can still release it.
 */
export type BlockedKind = "EMAIL_DOMAIN" | "EMAIL" | "NETWORK";

export type BlockListEntry = { id: string; kind: BlockedKind; value: string; note: string | null; createdAt: Date; createdBy: string | null };

export type BlockListSubject = { emailCanonical: string; clientAddress: string };

/**
 * A part of a WITH clause, "blocked" (ordinal): which of these submissions (by their position in
 * the list; null ones are not checked) match an entry. The statement that writes signatures
 * uses it, so that checking costs no round trip of its own. Network ranges are matched by
 * Postgres' inet operators; an address that is not an IP address matches no range.
 */
export function findBlockedSubmissions(submissions: (BlockListSubject | null)[]): Prisma.Sql {
  const checked = submissions.flatMap((submission, ordinal) => (submission ? [{ ...submission, ordinal }] : []));
  const domains = checked.map(({ emailCanonical }) => emailCanonical.slice(emailCanonical.lastIndexOf("@") + 1));
  const emails = checked.map(({ emailCanonical }) => emailCanonical);
  const addresses = checked.map(({ clientAddress }) => (isNetworkAddress(clientAddress) ? clientAddress.replace(/^::ffff:(?=\d)/i, "") : null));
  return Prisma.sql`
    "blocked" AS (
      SELECT submission.ordinal
      FROM unnest(${checked.map(({ ordinal }) => ordinal)}::int[], ${domains}::text[], ${emails}::text[], ${addresses}::inet[]) AS submission(ordinal, domain, email, address)
      WHERE EXISTS (
        SELECT 1 FROM "BlockedSigner"
        -- CASE, not AND: only network entries may be cast to inet, and SQL does not promise the order of AND.
        WHERE (kind = 'EMAIL_DOMAIN' AND (value = submission.domain OR submission.domain LIKE '%.' || value))
           OR (kind = 'EMAIL' AND value = submission.email)
           OR (CASE WHEN kind = 'NETWORK' AND submission.address IS NOT NULL THEN value::inet >>= submission.address ELSE false END))
    )`;
}

async function findBlocked(db: Database, submissions: BlockListSubject[]): Promise<boolean[]> {
  const matched = await db.$queryRaw<{ ordinal: number }[]>`
    -- prepared: find-blocked
    WITH ${findBlockedSubmissions(submissions)} SELECT ordinal FROM "blocked"`;
  const blocked = new Set(matched.map((row) => row.ordinal));
  return submissions.map((_, ordinal) => blocked.has(ordinal));
}

/** Whether a submission matches any entry. Checks arriving together share one query (group reads, infra/group-commit.ts). */
export const isBlocked: (db: Database, submission: BlockListSubject) => Promise<boolean> = gatherPerDatabase(findBlocked);

export async function listBlockedSigners(db: DatabaseOrTransaction): Promise<BlockListEntry[]> {
  return db.blockedSigner.findMany({ orderBy: [{ kind: "asc" }, { value: "asc" }] });
}

const domainPattern = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** "example.org" (lower-cased): the part of an email address after the @. */
export function isEmailDomain(value: string): boolean {
  return domainPattern.test(value);
}

/** An address, or a range in CIDR notation, IPv4 or IPv6, with a prefix that makes sense. */
export function isNetwork(value: string): boolean {
  const [address = "", prefix, ...rest] = value.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= (version === 4 ? 8 : 16) && bits <= (version === 4 ? 32 : 128);
}

const entrySchema = z
  .object({
    kind: z.enum(["EMAIL_DOMAIN", "EMAIL", "NETWORK"], { error: "errors.blockKindRequired" satisfies MessageId }),
    value: z.string().trim().toLowerCase().min(1, { error: "errors.blockValueRequired" satisfies MessageId }).max(300, { error: "errors.tooLong" satisfies MessageId }),
    note: optionalText(300),
  })
  .transform((entry) => ({
    ...entry,
    value: entry.kind === "EMAIL" ? canonicalEmail(entry.value) : entry.kind === "EMAIL_DOMAIN" ? entry.value.replace(/^@/, "").replace(/\.$/, "") : entry.value,
  }))
  .superRefine((entry, context) => {
    const valid =
      entry.kind === "EMAIL_DOMAIN" ? domainPattern.test(entry.value) : entry.kind === "EMAIL" ? z.email().safeParse(entry.value).success : isNetwork(entry.value);
    if (!valid) context.addIssue({ code: "custom", path: ["value"], message: `errors.blockValueInvalid.${entry.kind}` satisfies MessageId });
  });

export async function addBlockedSigner(db: DatabaseOrTransaction, owner: SignedInOrganizer, raw: Record<string, unknown>): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(entrySchema, raw);
  if (!validated.ok) return validated;
  const { kind, value, note } = validated.value;
  const existing = await db.blockedSigner.findUnique({ where: { kind_value: { kind, value } } });
  if (existing) return { ok: false, fieldErrors: { value: { id: "errors.blockValueExists" } } };
  await db.blockedSigner.create({ data: { kind, value, note, createdBy: `${owner.name} <${owner.email}>` } });
  await recordAudit(db, { actor: owner, action: "block-list.added", subject: value, details: { kind } });
  return { ok: true };
}

export async function removeBlockedSigner(db: DatabaseOrTransaction, owner: SignedInOrganizer, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const entry = await db.blockedSigner.findUnique({ where: { id } });
  if (!entry) return false;
  await db.blockedSigner.delete({ where: { id } });
  await recordAudit(db, { actor: owner, action: "block-list.removed", subject: entry.value, details: { kind: entry.kind } });
  return true;
}
