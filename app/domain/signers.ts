import type { DatabaseOrTransaction } from "~/infra/db.server";
import { containsPattern } from "./text-search";
import { withoutControlCharacters } from "./control-characters";
/** What the public list shows of a signer. Never the email address. */
export type PublicSigner = {
  id: string;
  fullName: string;
  role: string | null;
  city: string | null;
  country: string | null;
  comment: string | null;
  confirmedAt: Date;
};

export type SignerPage = { signers: PublicSigner[]; nextCursor: string | null };

type Position = { confirmedAt: Date; id: string };

/** Cursors are opaque to the reader: the position of the last signer on the page. */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.confirmedAt.toISOString()}|${position.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Position | null {
  const [timestamp, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  // Only what encodeCursor makes: an ISO time and a UUID. A made-up cursor must not reach
  // Postgres, which answers a malformed UUID or a date it cannot hold with an error.
  if (!timestamp || !id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(timestamp)) return null;
  const confirmedAt = new Date(timestamp);
  return Number.isNaN(confirmedAt.getTime()) ? null : { confirmedAt, id };
}

/** A search over the public list: at most this many words of this many characters in all. */
export const signerSearchLimits = { maxLength: 100, maxWords: 5 } as const;

/**
 * The words of a search typed into the public list's search box, or null for no search. Each
 * word must be found in the signer's name, role or city.
 */
export function searchWords(typed: string | null | undefined): string[] | null {
  // Control characters match nothing anyone typed, and Postgres refuses NUL in a parameter.
  const words = withoutControlCharacters(typed ?? "").normalize("NFC").slice(0, signerSearchLimits.maxLength).trim().split(/\s+/).filter(Boolean).slice(0, signerSearchLimits.maxWords);
  return words.length > 0 ? words : null;
}

/**
 * Confirmed signers who chose to be listed, newest first. Keyset pagination on
 * (confirmedAt, id) so that page 1,000 costs what page 1 costs and new signatures arriving
 * meanwhile do not shift what the next page shows.
 *
 * With `matching` (see searchWords), only signers whose name, role or city contains every word,
 * ignoring case. How that scales (measured on 1,000,000 signatures, 750,000 in one appeal, half
 * of them listed; PostgreSQL 15 on a busy 2-core machine): each word is an ILIKE '%word%' on the
 * three columns, which the trigram index on them (GIN, pg_trgm, migration
 * 20261205213911_signer_search) answers from the word's trigrams across all appeals — a rare
 * word in 3–13 ms, whatever the appeal's size. A common word is cheaper still walked the other
 * way: the planner reads the appeal's listed signers newest first through the public-list index
 * and stops at the first page of matches (19 ms for "anna"). What stays slow is a search that
 * matches almost nobody yet gives the trigram index nothing selective to work with — words of one
 * or two letters (no trigram: 1.4 s, a scan), or two common words that never occur together
 * (2.6 s, the whole appeal's listed signers) — roughly linear in the appeal's listed signers, and
 * bounded by the 4 s a web request's query may take. Only listed signers are ever searched, and
 * never an email address.
 */
export async function listPublicSigners(
  db: DatabaseOrTransaction,
  appealId: string,
  options: { after?: Position | null; limit: number; matching?: string[] | null },
): Promise<SignerPage> {
  const after = options.after;
  // Parameters by position, not Prisma.sql: this module is also in the pages' browser bundle
  // (its types and cursors), which must not pull in the Prisma runtime.
  const values: unknown[] = [appealId];
  const parameter = (value: unknown) => `$${values.push(value)}`;
  // Hidden by an organizer (moderation): still counted, not listed.
  const conditions = [`"appealId" = $1::uuid`, `status = 'CONFIRMED'`, `"showPublicly"`, `"hiddenAt" IS NULL`];
  if (after) {
    const confirmedAt = parameter(after.confirmedAt);
    conditions.push(`("confirmedAt" < ${confirmedAt} OR ("confirmedAt" = ${confirmedAt} AND id < ${parameter(after.id)}::uuid))`);
  }
  for (const word of options.matching ?? []) {
    const pattern = parameter(containsPattern(word));
    conditions.push(`("fullName" ILIKE ${pattern} OR role ILIKE ${pattern} OR city ILIKE ${pattern})`);
  }
  const rows = await db.$queryRawUnsafe<(Omit<PublicSigner, "confirmedAt"> & { confirmedAt: Date | null })[]>(
    `SELECT id, "fullName", role, city, country, comment, "confirmedAt" FROM "Signature"
     WHERE ${conditions.join(" AND ")}
     ORDER BY "confirmedAt" DESC, id DESC
     LIMIT ${parameter(options.limit + 1)}`,
    ...values,
  );
  const page = rows.slice(0, options.limit).map((row) => ({ ...row, confirmedAt: row.confirmedAt ?? new Date(0) }));
  const last = page[page.length - 1];
  return { signers: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}
