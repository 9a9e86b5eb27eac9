import { Prisma } from "~/generated/prisma/client";

/**
 * What erasing a signer's contact details and traces means, shared by withdrawing
 * (withdrawals.ts) and the retention job (retention.ts), so both erase the same columns the same way.
 * A .server module because it needs the Prisma client, which must never reach the browser
 * bundle through a route that imports those domain modules.
 *
 * The canonical email becomes `erased:<signature id>`: unique, as the one-signature-per-address
 * index needs, and never an address, so the person can sign the same appeal again later as a
 * new signer.
 */
export const erasedEmailPrefix = "erased:";

/**
 * SET clauses for an UPDATE of "Signature" (not aliased): the email address as typed and its
 * canonical form, the network address and browser identification, city and comment, and a mail
 * server's refusal (which usually quotes the address).
 */
export const eraseContactAndTraces = Prisma.sql`
  email = '',
  "emailCanonical" = ${erasedEmailPrefix} || "Signature".id::text,
  "networkAddress" = NULL,
  "userAgent" = NULL,
  city = NULL,
  comment = NULL,
  "emailRejection" = NULL`;
