import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SignerList } from "~/components/signer-list";
import { getPublicAppeal } from "~/domain/appeals";
import { decodeCursor, listPublicSigners } from "~/domain/signers";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

const signersPerPage = 50;

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", locale);
  if (!appeal) throw data(null, { status: 404 });
  const after = new URL(request.url).searchParams.get("after");
  const position = after ? decodeCursor(after) : null;
  // A cursor that was tampered with is a client mistake, not a reason to show page one.
  if (after && !position) throw data(null, { status: 400 });
  const page = await listPublicSigners(context.db, appeal.id, { after: position, limit: signersPerPage });
  return data(
    { title: appeal.title, slug: appeal.slug, counts: appeal.counts, page, isFirstPage: !after },
    { headers: publicPageCacheHeaders },
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.title } : undefined) },
];

export default function SignersPage() {
  const { title, slug, counts, page, isFirstPage } = useLoaderData<typeof loader>();
  const { t } = useT();
  const unlisted = counts.confirmed - counts.listed;
  return (
    <div className="page narrow card">
      <p>
        <Link to={`/appeals/${encodeURIComponent(slug)}`}>{t("signers.back")}</Link>
      </p>
      <h1>{t("signers.title", { title })}</h1>
      <p className="count">{t("appeal.count", { count: counts.confirmed })}</p>
      {page.signers.length === 0 ? <p>{t("appeal.signersEmpty")}</p> : <SignerList signers={page.signers} />}
      {unlisted > 0 && !page.nextCursor ? <p className="unlisted">{t("appeal.unlisted", { count: unlisted })}</p> : null}
      <nav className="pager" aria-label={t("appeal.signersHeading")}>
        {isFirstPage ? <span /> : <Link to=".">{t("signers.newest")}</Link>}
        {page.nextCursor ? <Link to={`?after=${page.nextCursor}`}>{t("signers.older")}</Link> : null}
      </nav>
    </div>
  );
}
