import { withoutControlCharacters } from "./control-characters";

/** Who runs appeals, and what each role may do. */
export type OrganizerRole = "OWNER" | "EDITOR";

export type SignedInOrganizer = {
  id: string;
  name: string;
  email: string;
  role: OrganizerRole;
};

/** What an organizer may do. Owners may do everything; editors run appeals and deliver exports. */
export type Permission = "editAppeals" | "exportSignatures" | "manageOrganizers" | "readAuditLog" | "manageBlockList";

const permissionsOf: Record<OrganizerRole, ReadonlySet<Permission>> = {
  OWNER: new Set(["editAppeals", "exportSignatures", "manageOrganizers", "readAuditLog", "manageBlockList"]),
  EDITOR: new Set(["editAppeals", "exportSignatures"]),
};

export function can(organizer: Pick<SignedInOrganizer, "role">, permission: Permission): boolean {
  return permissionsOf[organizer.role].has(permission);
}

/**
 * The organizer area's pages and what each needs, by path prefix: the one table the request
 * guard (infra/organizer-guard.server.ts) reads for every request under /organize. A page not
 * listed needs only a signed-in organizer.
 */
export const permissionByPathPrefix: readonly (readonly [prefix: string, permission: Permission])[] = [
  ["/organize/organizers", "manageOrganizers"],
  ["/organize/audit", "readAuditLog"],
  ["/organize/block-list", "manageBlockList"],
];

export const organizerAreaPrefix = "/organize";

/** The permission a path under the organizer area needs beyond being signed in, if any. */
export function permissionForPath(pathname: string): Permission | null {
  for (const [prefix, permission] of permissionByPathPrefix) {
    if (pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}.`)) return permission;
  }
  return null;
}

/** "a@Example.org " and "a@example.org" are one account. */
export function canonicalOrganizerEmail(email: string): string {
  return withoutControlCharacters(email).trim().toLowerCase();
}

/**
 * Where to go after signing in: `next` when it is a path inside the organizer area, else the
 * area's start. Never another site (an open redirect), and only printable ASCII — a path the
 * guard sent here is percent-encoded, and anything else cannot go into a Location header.
 */
export function pathAfterSignIn(next: string | null | undefined): string {
  if (!next || !next.startsWith(organizerAreaPrefix) || next.startsWith("//") || !/^[\x21-\x7e]*$/.test(next) || next.includes("\\")) return organizerAreaPrefix;
  return next;
}
