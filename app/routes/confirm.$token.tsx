import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ShareLinks } from "~/components/share-links";
import { confirmSignature, findConfirmation, type ConfirmationView } from "~/domain/signatures";
import { privatePageCacheControl } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/**
 * The link in the confirmation email. Opening it changes nothing — mail scanners fetch
 * links — it shows what is about to be confirmed and a button; pressing the button confirms.
 */
// The page's URL holds the token: never cached, and (like every page, see http-guards) the
// referrer policy "same-origin" keeps it from reaching other sites. Not "no-referrer": that
// makes browsers send "Origin: null" with the form, which Remix refuses.
const noStore = { "Cache-Control": privatePageCacheControl };

type ConfirmPageData =
  | { state: "invalid" }
  | { state: "ready" | "tooLate"; confirmation: ConfirmationView }
  /** withdrawPath: only on the first success page after confirming (the link is also in the emails). */
  | { state: "confirmed"; confirmation: ConfirmationView; withdrawPath: string | null };

function stateOf(confirmation: ConfirmationView): "ready" | "confirmed" | "tooLate" {
  if (confirmation.confirmed) return "confirmed";
  return confirmation.tooLateToConfirm ? "tooLate" : "ready";
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const confirmation = await findConfirmation(context.db, params.token ?? "", locale);
  if (!confirmation) return data<ConfirmPageData>({ state: "invalid" }, { status: 404, headers: noStore });
  const state = stateOf(confirmation);
  const page: ConfirmPageData = state === "confirmed" ? { state, confirmation, withdrawPath: null } : { state, confirmation };
  return data(page, { headers: noStore });
}

export async function action({ params, context }: ActionFunctionArgs) {
  const locale = context.readingLanguage;
  const confirmation = await confirmSignature(context.db, params.token ?? "", locale);
  if (!confirmation) return data<ConfirmPageData>({ state: "invalid" }, { status: 404, headers: noStore });
  const { withdrawToken, ...shown } = confirmation;
  if (!shown.confirmed) return data<ConfirmPageData>({ state: "tooLate", confirmation: shown }, { status: 409, headers: noStore });
  context.log.info({ signatureId: shown.signatureId, appealId: shown.appeal.id }, "signature confirmed");
  const withdrawPath = withdrawToken ? `/withdraw/${withdrawToken}` : null;
  return data<ConfirmPageData>({ state: "confirmed", confirmation: shown, withdrawPath }, { headers: noStore });
}

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders;

export const meta: MetaFunction = ({ matches }) => [
  { name: "robots", content: "noindex" },
  { title: pageTitle(matches, { id: "confirm.title" }) },
];

export default function ConfirmPage() {
  const loaded = useLoaderData<typeof loader>();
  const confirmed = useActionData<typeof action>();
  const page = confirmed ?? loaded;
  const { t, rich, date } = useT();
  const navigation = useNavigation();

  if (page.state === "invalid") {
    return (
      <div className="page narrow card">
        <h1>{t("confirm.invalidTitle")}</h1>
        <p>{t("confirm.invalidBody")}</p>
        <p>
          <Link to="/">{t("confirm.home")}</Link>
        </p>
      </div>
    );
  }

  const { confirmation } = page;
  const appealPath = `/appeals/${encodeURIComponent(confirmation.appeal.slug)}`;
  if (page.state === "tooLate") {
    return (
      <div className="page narrow card">
        <h1>{t("confirm.tooLateTitle")}</h1>
        <p>
          {t("confirm.tooLateBody", {
            title: confirmation.appeal.title,
            date: confirmation.appeal.closedAt ? date(new Date(confirmation.appeal.closedAt)) : "",
          })}
        </p>
        <p>
          <Link to={appealPath}>{t("confirm.viewAppeal")}</Link>
        </p>
      </div>
    );
  }
  if (page.state === "confirmed") {
    return (
      <div className="page narrow card success">
        <h1>{t("confirm.successTitle")}</h1>
        <p>{t("confirm.successBody", { title: confirmation.appeal.title })}</p>
        <p>{t(confirmation.showPublicly ? "confirm.successListed" : "confirm.successUnlisted")}</p>
        <p>
          <Link to={appealPath}>{t("confirm.viewAppeal")}</Link>
        </p>
        <p className="withdraw-note">
          {page.withdrawPath
            ? rich("confirm.withdrawOnce", { link: (chunks) => <Link to={page.withdrawPath ?? ""}>{chunks}</Link> })
            : t("confirm.withdrawInEmail")}
        </p>
        <ShareLinks slug={confirmation.appeal.slug} title={confirmation.appeal.title} />
      </div>
    );
  }

  const submitting = navigation.state !== "idle";
  return (
    <div className="page narrow card">
      <h1>{t("confirm.title")}</h1>
      <p>{t("confirm.intro", { name: confirmation.fullName, title: confirmation.appeal.title })}</p>
      <Form method="post">
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? t("confirm.confirming") : t("confirm.button")}
        </button>
      </Form>
    </div>
  );
}
