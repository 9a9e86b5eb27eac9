import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listAuditEvents } from "~/domain/audit";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "audit.title" }) }];

const pageSize = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "readAuditLog");
  const before = new URL(request.url).searchParams.get("before");
  return { page: await listAuditEvents(context.db, { limit: pageSize, before }), isFirstPage: !before };
}

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(", ");
}

export default function AuditLogPage() {
  const { page, isFirstPage } = useLoaderData<typeof loader>();
  const { t, dateTime } = useT();
  return (
    <div className="page">
      <h1>{t("audit.title")}</h1>
      <p className="lead">{t("audit.intro")}</p>
      {page.events.length === 0 ? (
        <p>{t("audit.empty")}</p>
      ) : (
        <table className="data-table audit-table">
          <thead>
            <tr>
              <th scope="col">{t("audit.columnWhen")}</th>
              <th scope="col">{t("audit.columnWho")}</th>
              <th scope="col">{t("audit.columnWhat")}</th>
              <th scope="col">{t("audit.columnDetails")}</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr key={event.id}>
                <td>
                  <time dateTime={new Date(event.at).toISOString()}>{dateTime(new Date(event.at))}</time>
                </td>
                <td>{event.actorName}</td>
                <td>
                  <code>{event.action}</code>
                  {event.subject ? <> · {event.subject}</> : null}
                </td>
                <td>{describeDetails(event.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t("audit.title")}>
        {isFirstPage ? <span /> : <Link to="/organize/audit">{t("audit.newest")}</Link>}
        {page.nextCursor ? <Link to={`/organize/audit?before=${page.nextCursor}`}>{t("audit.older")}</Link> : null}
      </nav>
    </div>
  );
}
