import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listPublishedAppeals } from "~/domain/appeals";
import { publicPageCacheHeaders } from "~/http";
import { negotiateLocale } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = negotiateLocale(request.headers.get("accept-language"));
  return data({ appeals: await listPublishedAppeals(context.db, locale, "past") }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "archive.title" }) }];

/** Closed and archived appeals: no longer collecting, still readable. */
export default function ArchivePage() {
  const { appeals } = useLoaderData<typeof loader>();
  const { t, date } = useT();
  return (
    <div className="page narrow">
      <h1>{t("archive.title")}</h1>
      <p>{t("archive.intro")}</p>
      {appeals.length === 0 ? (
        <p>{t("archive.empty")}</p>
      ) : (
        <ul className="appeal-list">
          {appeals.map((appeal) => (
            <li key={appeal.slug} className="card">
              <h2>
                <Link to={`/appeals/${encodeURIComponent(appeal.slug)}`}>{appeal.title}</Link>
              </h2>
              <p className="appeal-meta">
                {appeal.publishedAt ? t("appeal.published", { date: date(appeal.publishedAt) }) : null}
                {appeal.closedAt ? <> · {t("archive.closedOn", { date: date(appeal.closedAt) })}</> : null}
              </p>
              {appeal.summary ? <p>{appeal.summary}</p> : null}
              <p>
                <strong>{t("home.signatures", { count: appeal.confirmed })}</strong>
              </p>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to="/">{t("archive.current")}</Link>
      </p>
    </div>
  );
}
