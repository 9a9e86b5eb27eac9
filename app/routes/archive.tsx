import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AppealCards } from "~/components/appeal-cards";
import { listPublishedAppeals } from "~/domain/appeals";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export async function loader({ context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  return data({ appeals: await listPublishedAppeals(context.db, locale, "past") }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "archive.title" }) }];

/** Closed and archived appeals: no longer collecting, still readable. */
export default function ArchivePage() {
  const { appeals } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <div className="page narrow">
      <h1>{t("archive.title")}</h1>
      <p>{t("archive.intro")}</p>
      {appeals.length === 0 ? (
        <p>{t("archive.empty")}</p>
      ) : (
        <AppealCards appeals={appeals} />
      )}
      <p>
        <Link to="/">{t("archive.current")}</Link>
      </p>
    </div>
  );
}
