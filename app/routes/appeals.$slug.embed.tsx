import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { SignatureProgress } from "~/components/appeal-parts";
import { useAppealUrl } from "~/components/share-links";
import { standalonePage } from "~/components/standalone-page";
import { getSharedAppeal } from "~/domain/sharing";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { publicPageCacheHeaders } from "~/http";

/**
 * The appeal in a box for other sites' pages (an iframe): title, count, progress and a button
 * that opens the appeal in a new tab — signing happens on our page, never inside someone else's.
 * The only page that may be framed (mayBeFramedByOtherSites); it has no form and no scripts.
 */
export const handle = standalonePage;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const appeal = await getSharedAppeal(context.db, params.slug ?? "", context.readingLanguage);
  if (!appeal) throw data(null, { status: 404 });
  return data({ appeal }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.appeal.title } : undefined) },
  // The frame repeats the appeal page; search engines should send readers there.
  { name: "robots", content: "noindex" },
];

export default function AppealEmbed() {
  const { appeal } = useLoaderData<typeof loader>();
  const { t } = useT();
  const url = useAppealUrl(appeal.slug);
  return (
    <div className="embed">
      <h1 className="embed-title" lang={appeal.locale}>
        <a href={url} target="_blank" rel="noopener">
          {appeal.title}
        </a>
      </h1>
      <SignatureProgress confirmed={appeal.confirmed} goal={appeal.signatureGoal} />
      <p className="embed-action">
        <a href={url} target="_blank" rel="noopener" className="button">
          {t(appeal.acceptsSignatures ? "sharing.embedSign" : "sharing.embedRead")}
          <span className="visually-hidden"> {t("sharing.embedNewTab")}</span>
        </a>
      </p>
    </div>
  );
}
