import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { findWithdrawal, withdrawSignature, type WithdrawalView } from "~/domain/withdrawals";
import { privatePageCacheControl } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/**
 * The withdraw link in every email about a signature and on the page that confirms it. Opening
 * it changes nothing — mail scanners fetch links — it says what will happen and shows a button;
 * pressing the button withdraws the signature and erases the signer's data.
 */
// The URL holds the token: never stored by any cache (see confirm.$token.tsx on the referrer).
const noStore = { "Cache-Control": privatePageCacheControl };

type WithdrawPageData =
  | { state: "invalid"; privacyContactEmail: string }
  | { state: "ready" | "withdrawn"; withdrawal: WithdrawalView };

export async function loader({ params, context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const withdrawal = await findWithdrawal(context.db, params.token ?? "", locale);
  if (!withdrawal) return data<WithdrawPageData>({ state: "invalid", privacyContactEmail: context.site.privacyContactEmail }, { status: 404, headers: noStore });
  return data<WithdrawPageData>({ state: withdrawal.withdrawn ? "withdrawn" : "ready", withdrawal }, { headers: noStore });
}

export async function action({ params, context }: ActionFunctionArgs) {
  const locale = context.readingLanguage;
  const withdrawal = await withdrawSignature(context.db, params.token ?? "", locale);
  if (!withdrawal) return data<WithdrawPageData>({ state: "invalid", privacyContactEmail: context.site.privacyContactEmail }, { status: 404, headers: noStore });
  context.log.info({ signatureId: withdrawal.signatureId, appealId: withdrawal.appeal.id }, "signature withdrawn");
  return data<WithdrawPageData>({ state: "withdrawn", withdrawal }, { headers: noStore });
}

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [
  { name: "robots", content: "noindex" },
  { title: pageTitle(matches, { id: "withdraw.title" }) },
];

export default function WithdrawPage() {
  const loaded = useLoaderData<typeof loader>();
  const withdrawn = useActionData<typeof action>();
  const page = withdrawn ?? loaded;
  const { t } = useT();
  const navigation = useNavigation();

  if (page.state === "invalid") {
    return (
      <div className="page narrow card">
        <h1>{t("withdraw.invalidTitle")}</h1>
        <p>{t("withdraw.invalidBody", { email: page.privacyContactEmail })}</p>
        <p>
          <Link to="/">{t("withdraw.home")}</Link>
        </p>
      </div>
    );
  }

  const { withdrawal } = page;
  const appealPath = `/appeals/${encodeURIComponent(withdrawal.appeal.slug)}`;
  if (page.state === "withdrawn") {
    return (
      <div className="page narrow card success">
        <h1>{t("withdraw.doneTitle")}</h1>
        <p>{t("withdraw.doneBody", { title: withdrawal.appeal.title })}</p>
        <p>
          <Link to={appealPath}>{t("withdraw.viewAppeal")}</Link>
        </p>
      </div>
    );
  }

  const submitting = navigation.state !== "idle";
  return (
    <div className="page narrow card">
      <h1>{t("withdraw.title")}</h1>
      <p>
        {withdrawal.fullName
          ? t("withdraw.intro", { name: withdrawal.fullName, title: withdrawal.appeal.title })
          : t("withdraw.introWithoutName", { title: withdrawal.appeal.title })}
      </p>
      <p>{t("withdraw.whatHappens")}</p>
      <Form method="post">
        <button type="submit" className="button danger" disabled={submitting}>
          {submitting ? t("withdraw.withdrawing") : t("withdraw.button")}
        </button>
      </Form>
    </div>
  );
}
