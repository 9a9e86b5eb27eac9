import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { ShareLinks } from "~/components/share-links";
import { getPublicAppeal } from "~/domain/appeals";
import { isListedOnConfirmedPage, withdrawPathFromFragment } from "~/domain/confirmed-page";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/**
 * Where pressing "Confirm" leads (see domain/confirmed-page.ts): the same page for every signer of
 * the appeal, so it is cached like the appeal page; nothing on it names the signer.
 */
export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", context.readingLanguage);
  if (!appeal) throw data(null, { status: 404 });
  const listed = isListedOnConfirmedPage(new URL(request.url).searchParams);
  return data({ title: appeal.title, slug: appeal.slug, listed }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [
  { name: "robots", content: "noindex" },
  { title: pageTitle(matches, { id: "confirm.successTitle" }) },
];

/**
 * The withdraw link the press offered, read from the address's fragment after the page has
 * loaded (the server never sees it), then taken out of the address bar and this history entry:
 * it is shown once, and reloading shows the note about the emails instead.
 */
function useWithdrawLinkOfferedOnce(): string | null {
  // Read again when a client-side navigation brings a new fragment.
  const { hash } = useLocation();
  const [withdrawPath, setWithdrawPath] = useState<string | null>(null);
  useEffect(() => {
    const offered = withdrawPathFromFragment(window.location.hash);
    if (!offered) return;
    setWithdrawPath(offered);
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }, [hash]);
  return withdrawPath;
}

export default function ConfirmedPage() {
  const { title, slug, listed } = useLoaderData<typeof loader>();
  const { t, rich } = useT();
  const withdrawPath = useWithdrawLinkOfferedOnce();
  return (
    <div className="page narrow card success">
      <h1>{t("confirm.successTitle")}</h1>
      <p>{t("confirm.successBody", { title })}</p>
      <p>{t(listed ? "confirm.successListed" : "confirm.successUnlisted")}</p>
      <p>
        <Link to={`/appeals/${encodeURIComponent(slug)}`}>{t("confirm.viewAppeal")}</Link>
      </p>
      <p className="withdraw-note">
        {withdrawPath ? rich("confirm.withdrawOnce", { link: (chunks) => <Link to={withdrawPath}>{chunks}</Link> }) : t("confirm.withdrawInEmail")}
      </p>
      <ShareLinks slug={slug} title={title} />
    </div>
  );
}
