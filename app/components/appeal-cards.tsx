import { Link } from "@remix-run/react";
import type { AppealSummary } from "~/domain/appeals";
import { useT } from "~/i18n/react";

/** Appeals as cards: the home page's open ones, the archive's past ones. */
export function AppealCards({ appeals }: { appeals: AppealSummary[] }) {
  const { t, date } = useT();
  return (
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
  );
}
