import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { StatusBadge } from "~/components/status-badge";
import { getAppealHeader } from "~/domain/appeal-editing";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

/** Every page about one appeal: its title, status and the sections to edit it. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context);
  const appeal = await getAppealHeader(context.db, params.id ?? "", context.locale);
  if (!appeal) throw data(null, { status: 404 });
  return { appeal };
}

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.appeal.title } : undefined) },
];

export default function AppealInOrganizerArea() {
  const { appeal } = useLoaderData<typeof loader>();
  const { t } = useT();
  const base = `/organize/appeals/${appeal.id}`;
  const sections = [
    { to: base, label: t("organize.tabOverview"), end: true },
    { to: `${base}/dashboard`, label: t("organize.tabDashboard") },
    { to: `${base}/details`, label: t("organize.tabDetails") },
    { to: `${base}/texts`, label: t("organize.tabTexts") },
    { to: `${base}/signatories`, label: t("organize.tabSignatories") },
    { to: `${base}/attachments`, label: t("organize.tabAttachments") },
    { to: `${base}/protection`, label: t("organize.tabProtection") },
    { to: `${base}/signatures`, label: t("organize.tabSignatures") },
    { to: `${base}/updates`, label: t("organize.tabUpdates") },
    { to: `${base}/paper`, label: t("organize.tabPaper") },
    { to: `${base}/export`, label: t("organize.tabExport") },
    { to: `${base}/preview`, label: t("organize.tabPreview") },
  ];
  return (
    <div className="page">
      <p className="breadcrumb">
        <NavLink to="/organize">{t("organize.navAppeals")}</NavLink>
      </p>
      <div className="appeal-heading">
        <h1>{appeal.title}</h1>
        <StatusBadge status={appeal.status} />
      </div>
      <nav className="tabs" aria-label={t("organize.sectionsLabel")}>
        <ul>
          {sections.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} end={section.end}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
