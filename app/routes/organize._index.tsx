import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StatusBadge } from "~/components/status-badge";
import { listAppealsForOrganizers } from "~/domain/appeal-editing";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "organize.appealsTitle" }) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireOrganizer(context);
  const locale = context.locale;
  return {
    appeals: await listAppealsForOrganizers(context.db, locale),
    denied: new URL(request.url).searchParams.has("denied"),
  };
}

export default function OrganizerAppeals() {
  const { appeals, denied } = useLoaderData<typeof loader>();
  const { t, date, number } = useT();
  return (
    <div className="page">
      {denied ? (
        <p className="notice" role="status">
          {t("organize.denied")}
        </p>
      ) : null}
      <div className="page-heading">
        <h1>{t("organize.appealsTitle")}</h1>
        <Link to="/organize/appeals/new" className="button">
          {t("organize.newAppeal")}
        </Link>
      </div>
      {appeals.length === 0 ? (
        <p>{t("organize.noAppeals")}</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t("organize.columnTitle")}</th>
              <th scope="col">{t("organize.columnStatus")}</th>
              <th scope="col" className="numeric">
                {t("organize.columnSignatures")}
              </th>
              <th scope="col">{t("organize.columnUpdated")}</th>
            </tr>
          </thead>
          <tbody>
            {appeals.map((appeal) => (
              <tr key={appeal.id}>
                <td>
                  <Link to={`/organize/appeals/${appeal.id}`}>{appeal.title}</Link>
                </td>
                <td>
                  <StatusBadge status={appeal.status} />
                </td>
                <td className="numeric" data-label={t("organize.columnSignatures")}>
                  {number(appeal.confirmed)}
                </td>
                <td data-label={t("organize.columnUpdated")}>{date(appeal.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
