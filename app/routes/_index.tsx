import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AppealCards } from "~/components/appeal-cards";
import { listPublishedAppeals } from "~/domain/appeals";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle, translatorFor } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export async function loader({ context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  return data({ appeals: await listPublishedAppeals(context.db, locale) }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [
  { title: pageTitle(matches) },
  // Feed readers find the feed of new appeals from the home page.
  { tagName: "link", rel: "alternate", type: "application/atom+xml", href: "/appeals.atom", title: translatorFor(matches)?.t("openData.feedLinkTitle") ?? "Atom" },
];

export default function HomePage() {
  const { appeals } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <div className="page narrow">
      <h1>{t("home.title")}</h1>
      <p>{t("home.intro")}</p>
      {appeals.length === 0 ? (
        <p>{t("home.empty")}</p>
      ) : (
        <AppealCards appeals={appeals} />
      )}
      <p>
        <Link to="/archive">{t("home.archiveLink")}</Link>
      </p>
    </div>
  );
}
