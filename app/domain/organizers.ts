/** Who runs appeals, and what each role may do. */
export type OrganizerRole = "OWNER" | "EDITOR";

export type SignedInOrganizer = {
  id: string;
  name: string;
  email: string;
  role: OrganizerRole;
};
