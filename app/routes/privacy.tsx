import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { OperatorAddress } from "~/components/operator-address";
import { privacyNoticeInForceSince, privacyNoticeVersion } from "~/domain/consent";
import { publicCountryMinimum } from "~/domain/countries";
import { defaultRetentionMonths, retentionMonthsLimits } from "~/domain/retention";
import { pageTitle } from "~/i18n/meta";
import type { MessageId } from "~/i18n/i18n";
import { messagesOfArea } from "~/i18n/languages.server";
import { MoreTranslations, useT } from "~/i18n/react";

/**
 * The privacy notice, written from the operator's settings (OPERATOR_*, PRIVACY_*,
 * NETWORK_ADDRESS_RETENTION_DAYS) and from the rules in app/domain, so that what it promises is
 * what the code does. Its version is what each signature records as consented to.
 */
export async function loader({ context }: LoaderFunctionArgs) {
  return {
    site: context.site,
    version: privacyNoticeVersion,
    inForceSince: privacyNoticeInForceSince,
    retentionMonths: { standard: defaultRetentionMonths, ...retentionMonthsLimits },
    messages: messagesOfArea(context.locale, "notices"),
  };
}

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "privacy.title" }) }];

export default function PrivacyPage() {
  return (
    <MoreTranslations messages={useLoaderData<typeof loader>().messages}>
      <PrivacyNotice />
    </MoreTranslations>
  );
}

function PrivacyNotice() {
  const { site, version, inForceSince, retentionMonths } = useLoaderData<typeof loader>();
  const { t, rich, date } = useT();
  const privacyEmail = <a href={`mailto:${site.privacyContactEmail}`}>{site.privacyContactEmail}</a>;
  return (
    <article className="page narrow card notice-text">
      <h1>{t("privacy.title")}</h1>
      <p className="version">{t("privacy.version", { version, date: date(new Date(inForceSince)) })}</p>
      <p className="summary">{t("privacy.summary")}</p>

      <h2>{t("privacy.responsibleHeading")}</h2>
      <p>{t("privacy.responsible", { operator: site.operator.name })}</p>
      <OperatorAddress operator={site.operator} />
      <p>{rich("privacy.contact", { email: privacyEmail })}</p>

      <h2>{t("privacy.storedHeading")}</h2>
      <Points ids={["privacy.storedForm", "privacy.storedContext", "privacy.storedNetwork", "privacy.storedConsent"]} />

      <h2>{t("privacy.whyHeading")}</h2>
      <Points ids={["privacy.whyCount", "privacy.whyConfirm", "privacy.whyAbuse", "privacy.whyDeliver", "privacy.whyUpdates"]} />

      <h2>{t("privacy.whoHeading")}</h2>
      <ul>
        <li>{t("privacy.whoPublic")}</li>
        <li>{t("privacy.whoCountries", { minimum: publicCountryMinimum })}</li>
        <PointItems ids={["privacy.whoOrganizers", "privacy.whoAddressees", "privacy.whoNobodyElse"]} />
      </ul>

      <h2>{t("privacy.howLongHeading")}</h2>
      <ul>
        <li>{t("privacy.howLongNetwork", { days: site.networkAddressRetentionDays })}</li>
        <li>{t("privacy.howLongRest", { months: retentionMonths.standard, min: retentionMonths.min, max: retentionMonths.max })}</li>
        <li>{t("privacy.howLongWithdraw")}</li>
      </ul>

      <h2 id="withdraw">{t("privacy.withdrawHeading")}</h2>
      <p>{t("privacy.withdrawBody")}</p>
      <p>{rich("privacy.withdrawNoLink", { email: privacyEmail })}</p>

      <h2>{t("privacy.rightsHeading")}</h2>
      <p>{rich("privacy.rightsBody", { email: privacyEmail })}</p>
      <p>{t("privacy.rightsComplaint")}</p>
      {site.supervisoryAuthority ? <p>{t("privacy.rightsAuthority", { authority: site.supervisoryAuthority })}</p> : null}

      <h2>{t("privacy.cookiesHeading")}</h2>
      <p>{t("privacy.cookiesBody")}</p>

      <h2>{t("privacy.thirdPartiesHeading")}</h2>
      <p>{t("privacy.thirdPartiesBody")}</p>

      <h2>{t("privacy.versionsHeading")}</h2>
      <p>{t("privacy.versionsBody")}</p>
    </article>
  );
}

function Points({ ids }: { ids: MessageId[] }) {
  return (
    <ul>
      <PointItems ids={ids} />
    </ul>
  );
}

function PointItems({ ids }: { ids: MessageId[] }) {
  const { t } = useT();
  return ids.map((id) => <li key={id}>{t(id)}</li>);
}
