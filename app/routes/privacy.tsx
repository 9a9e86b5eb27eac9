import type { MetaFunction } from "@remix-run/node";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "privacy.title" }) }];

export default function PrivacyPage() {
  const { t } = useT();
  return (
    <div className="page narrow card">
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.body")}</p>
    </div>
  );
}
