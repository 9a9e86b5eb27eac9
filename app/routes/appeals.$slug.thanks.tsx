import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ShareLinks } from "~/components/share-links";
import { getPublicAppeal } from "~/domain/appeals";
import { publicPageCacheHeaders } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/**
 * Shown after every accepted submission, whatever the state of the address. The same for every
 * signer (nothing on it names one), so it is cached like the appeal page.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", locale);
  if (!appeal) throw data(null, { status: 404 });
  return data({ title: appeal.title, slug: appeal.slug }, { headers: publicPageCacheHeaders });
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "thanks.title" }) }];

export default function ThanksPage() {
  const { title, slug } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <div className="page narrow card success">
      <h1>{t("thanks.title")}</h1>
      <p>{t("thanks.body", { title })}</p>
      <p>{t("thanks.noEmail")}</p>
      <p>
        <Link to={`/appeals/${encodeURIComponent(slug)}`}>{t("thanks.back")}</Link>
      </p>
      <ShareLinks slug={slug} title={title} />
    </div>
  );
}
