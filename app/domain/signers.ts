import type { DatabaseOrTransaction } from "~/infra/db.server";

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

/**
 * Confirmed signers who chose to be listed, newest first. Keyset pagination on
 * (confirmedAt, id) so that page 1,000 costs what page 1 costs and new signatures arriving
 * meanwhile do not shift what the next page shows.
 */
export async function listPublicSigners(
  db: DatabaseOrTransaction,
  appealId: string,
  options: { after?: Position | null; limit: number },
): Promise<SignerPage> {
  const after = options.after;
  const rows = await db.signature.findMany({
    where: {
      appealId,
      status: "CONFIRMED",
      showPublicly: true,
      // Hidden by an organizer (moderation): still counted, not listed.
      hiddenAt: null,
      ...(after
        ? {
            OR: [
              { confirmedAt: { lt: after.confirmedAt } },
              { confirmedAt: after.confirmedAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ confirmedAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    select: { id: true, fullName: true, role: true, city: true, country: true, comment: true, confirmedAt: true },
  });
  const page = rows.slice(0, options.limit).map((row) => ({ ...row, confirmedAt: row.confirmedAt ?? new Date(0) }));
  const last = page[page.length - 1];
  return { signers: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}
