import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { OperatorAddress } from "~/components/operator-address";
import { pageTitle } from "~/i18n/meta";
import { messagesOfArea } from "~/i18n/languages.server";
import { MoreTranslations, useT } from "~/i18n/react";

/** Who runs the site (the OPERATOR_* settings), as many countries require a site to say. */
export async function loader({ context }: LoaderFunctionArgs) {
  return { operator: context.site.operator, privacyContactEmail: context.site.privacyContactEmail, messages: messagesOfArea(context.locale, "notices") };
}

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "imprint.title" }) }];

export default function ImprintPage() {
  return (
    <MoreTranslations messages={useLoaderData<typeof loader>().messages}>
      <Imprint />
    </MoreTranslations>
  );
}

function Imprint() {
  const { operator, privacyContactEmail } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <article className="page narrow card notice-text">
      <h1>{t("imprint.title")}</h1>
      <p>{t("imprint.intro")}</p>
      <h2>{t("imprint.operator")}</h2>
      <OperatorAddress operator={operator} />
      <dl className="facts">
        {operator.register ? (
          <div>
            <dt>{t("imprint.register")}</dt>
            <dd>{operator.register}</dd>
          </div>
        ) : null}
        {operator.representative ? (
          <div>
            <dt>{t("imprint.representative")}</dt>
            <dd>{operator.representative}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t("imprint.privacyContact")}</dt>
          <dd>
            <a href={`mailto:${privacyContactEmail}`}>{privacyContactEmail}</a>
          </dd>
        </div>
      </dl>
      <p>{t("imprint.appeals")}</p>
      <p>
        <Link to="/privacy">{t("imprint.privacyLink")}</Link>
      </p>
    </article>
  );
}
