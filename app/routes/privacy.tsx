import type { MetaFunction } from "@remix-run/node";
import { useT } from "~/i18n/react";

export const meta: MetaFunction = () => [{ title: "Privacy · Undersign" }];

export default function PrivacyPage() {
  const { t } = useT();
  return (
    <div className="page narrow card">
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.body")}</p>
    </div>
  );
}
