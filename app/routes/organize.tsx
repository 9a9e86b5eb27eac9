import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { can } from "~/domain/organizers";
import { requireOrganizer } from "~/infra/organizer-guard.server";
import { messagesOfArea } from "~/i18n/languages.server";
import { MoreTranslations, useT } from "~/i18n/react";

/** The organizer area's frame: who is signed in, where they can go, signing out. */
export async function loader({ context }: LoaderFunctionArgs) {
  const organizer = requireOrganizer(context);
  return {
    organizer: { name: organizer.name, email: organizer.email, role: organizer.role },
    mayManageOrganizers: can(organizer, "manageOrganizers"),
    mayReadAuditLog: can(organizer, "readAuditLog"),
    mayManageBlockList: can(organizer, "manageBlockList"),
    // The organizer area's own messages: public pages do not carry them (languages.server.ts).
    messages: messagesOfArea(context.locale, "organizer"),
  };
}

export default function OrganizerArea() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <MoreTranslations messages={messages}>
      <OrganizerFrame />
    </MoreTranslations>
  );
}

function OrganizerFrame() {
  const { organizer, mayManageOrganizers, mayReadAuditLog, mayManageBlockList } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <div className="organizer-area">
      <nav className="organizer-nav" aria-label={t("organize.navLabel")}>
        <ul>
          <li>
            <NavLink to="/organize" end>
              {t("organize.navAppeals")}
            </NavLink>
          </li>
          {mayManageOrganizers ? (
            <li>
              <NavLink to="/organize/organizers">{t("organize.navOrganizers")}</NavLink>
            </li>
          ) : null}
          {mayReadAuditLog ? (
            <li>
              <NavLink to="/organize/audit">{t("organize.navAudit")}</NavLink>
            </li>
          ) : null}
          {mayManageBlockList ? (
            <li>
              <NavLink to="/organize/block-list">{t("organize.navBlockList")}</NavLink>
            </li>
          ) : null}
        </ul>
        <div className="organizer-account">
          <span>
            {t("organize.signedInAs", { name: organizer.name })}{" "}
            <span className="role-badge">{t(organizer.role === "OWNER" ? "organize.roleOwner" : "organize.roleEditor")}</span>
          </span>
          <Form method="post" action="/sign-out">
            <button type="submit" className="link-button">
              {t("organize.signOut")}
            </button>
          </Form>
        </div>
      </nav>
      <Outlet />
    </div>
  );
}
