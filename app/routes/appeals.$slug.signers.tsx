import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CountryBreakdown } from "~/components/country-breakdown";
import { SignerList } from "~/components/signer-list";
import { getPublicAppeal } from "~/domain/appeals";
import { countryBreakdown } from "~/domain/open-data.server";
import { decodeCursor, listPublicSigners, searchWords, signerSearchLimits } from "~/domain/signers";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

const signersPerPage = 50;

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", locale);
  if (!appeal) throw data(null, { status: 404 });
  const query = new URL(request.url).searchParams;
  const after = query.get("after");
  const position = after ? decodeCursor(after) : null;
  // A cursor that was tampered with is a client mistake, not a reason to show page one.
  if (after && !position) throw data(null, { status: 400 });
  const words = searchWords(query.get("q"));
  const search = words ? words.join(" ") : null;
  const page = await listPublicSigners(context.db, appeal.id, { after: position, limit: signersPerPage, matching: words });
  // The breakdown reads every confirmed signature of the appeal: only on the page people land on.
  const countries = !after && !search ? await countryBreakdown(context.db, appeal.id, locale) : null;
  return data(
    { title: appeal.title, slug: appeal.slug, counts: appeal.counts, page, isFirstPage: !after, search, countries },
    { headers: publicPageCacheHeaders },
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.title } : undefined) },
];

export default function SignersPage() {
  const { title, slug, counts, page, isFirstPage, search, countries } = useLoaderData<typeof loader>();
  const { t } = useT();
  const unlisted = counts.confirmed - counts.listed;
  const searchQuery = search ? `q=${encodeURIComponent(search)}&` : "";
  return (
    <div className="page narrow card">
      <p>
        <Link to={`/appeals/${encodeURIComponent(slug)}`}>{t("signers.back")}</Link>
      </p>
      <h1>{t("signers.title", { title })}</h1>
      <p className="count">{t("appeal.count", { count: counts.confirmed })}</p>
      {/* A GET form: the search is in the address, works without JavaScript, and can be shared. */}
      <Form method="get" role="search" className="signer-search">
        <label htmlFor="signer-search">{t("openData.searchLabel")}</label>
        <div className="signer-search-row">
          <input id="signer-search" type="search" name="q" defaultValue={search ?? ""} maxLength={signerSearchLimits.maxLength} aria-describedby="signer-search-note" />
          <button type="submit" className="button">
            {t("openData.searchButton")}
          </button>
        </div>
        <p id="signer-search-note" className="hint">
          {t("openData.searchNote")}
        </p>
      </Form>
      {search ? (
        <p>
          {page.signers.length === 0 && isFirstPage ? t("openData.searchNone", { q: search }) : t("openData.searchMatches", { q: search })}{" "}
          <Link to=".">{t("openData.searchClear")}</Link>
        </p>
      ) : null}
      {page.signers.length === 0 ? (search ? null : <p>{t("appeal.signersEmpty")}</p>) : <SignerList signers={page.signers} />}
      {unlisted > 0 && !page.nextCursor && !search ? <p className="unlisted">{t("appeal.unlisted", { count: unlisted })}</p> : null}
      <nav className="pager" aria-label={t("appeal.signersHeading")}>
        {isFirstPage ? <span /> : <Link to={search ? `?q=${encodeURIComponent(search)}` : "."}>{t("signers.newest")}</Link>}
        {page.nextCursor ? <Link to={`?${searchQuery}after=${page.nextCursor}`}>{t("signers.older")}</Link> : null}
      </nav>
      {countries ? (
        <section aria-labelledby="countries-heading" className="section">
          <h2 id="countries-heading">{t("openData.countriesHeading")}</h2>
          <CountryBreakdown breakdown={countries} total={counts.confirmed} />
        </section>
      ) : null}
    </div>
  );
}
