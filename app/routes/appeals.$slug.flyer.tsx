import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { useAppealUrl } from "~/components/share-links";
import { standalonePage } from "~/components/standalone-page";
import { appealSharePaths, getSharedAppeal } from "~/domain/sharing";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { publicPageCacheHeaders } from "~/http";
import flyerStyles from "~/styles/flyer.css";

/**
 * A one-page A4 flyer to print and pin up: the appeal's title, summary, count, goal and
 * publisher, and a QR code of its address with the address written out beside it.
 */
export const handle = standalonePage;

export const links: LinksFunction = () => [{ rel: "stylesheet", href: flyerStyles }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  // ?lang= or the remembered choice, as worked out once for the request.
  const appeal = await getSharedAppeal(context.db, params.slug ?? "", context.readingLanguage);
  if (!appeal) throw data(null, { status: 404 });
  return data({ appeal }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.appeal.title } : undefined) },
  { name: "robots", content: "noindex" },
];

export default function AppealFlyer() {
  const { appeal } = useLoaderData<typeof loader>();
  const { t } = useT();
  const url = useAppealUrl(appeal.slug);
  const paths = appealSharePaths(appeal.slug);
  return (
    <>
      <p className="flyer-hint">
        {t("sharing.flyerPrintHint")} <Link to={paths.page}>{t("sharing.flyerBack")}</Link>
      </p>
      <article className="flyer">
        <h1 lang={appeal.locale}>{appeal.title}</h1>
        {appeal.summary ? (
          <p className="flyer-summary" lang={appeal.locale}>
            {appeal.summary}
          </p>
        ) : null}
        <div className="flyer-figures">
          <p className="flyer-count">{t("sharing.flyerCount", { count: appeal.confirmed })}</p>
          {appeal.signatureGoal ? <p className="flyer-goal">{t("sharing.flyerGoal", { goal: appeal.signatureGoal })}</p> : null}
        </div>
        <div className="flyer-sign">
          <img className="flyer-qr" src={paths.qrSvg} alt={t("sharing.flyerQrAlt")} width={240} height={240} />
          <div>
            <p>{t("sharing.flyerScan")}</p>
            <PrintedAddress url={url} />
          </div>
        </div>
        <p className="flyer-publisher">{t("sharing.flyerPublisher", { publisher: appeal.publisherName })}</p>
      </article>
    </>
  );
}

/**
 * The appeal's address as printed: it may break only after a slash. Broken at one of the slug's
 * hyphens it would read as a word divided at the end of a line, and be typed without the hyphen.
 */
function PrintedAddress({ url }: { url: string }) {
  const schemeEnd = url.indexOf("://");
  const scheme = schemeEnd < 0 ? "" : url.slice(0, schemeEnd);
  const parts = url.slice(schemeEnd < 0 ? 0 : schemeEnd + 3).split(/(?<=\/)/);
  return (
    <p className="flyer-url">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          <span>{index === 0 && scheme ? `${scheme}://${part}` : part}</span>
        </Fragment>
      ))}
    </p>
  );
}
