import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useDocumentPostPending } from "~/components/form-fields";
import { confirmedPagePath } from "~/domain/confirmed-page";
import { findConfirmation, type ConfirmationView } from "~/domain/signatures";
import { pageAfterConfirming, pressConfirm } from "~/form-posts.server";
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
  | { state: "ready" | "tooLate"; confirmation: ConfirmationView };

/** A ?lang= choice in the link stays with the reader on the page the press leads to. */
const chosenLanguageOf = (request: Request) => new URL(request.url).searchParams.get("lang");

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const locale = context.readingLanguage;
  const confirmation = await findConfirmation(context.db, params.token ?? "", locale);
  if (!confirmation) return data<ConfirmPageData>({ state: "invalid" }, { status: 404, headers: noStore });
  if (confirmation.confirmed) {
    const to = confirmedPagePath({ slug: confirmation.appeal.slug, listed: confirmation.showPublicly, withdrawToken: null, chosenLanguage: chosenLanguageOf(request) });
    return redirect(to, { headers: noStore });
  }
  const state = confirmation.tooLateToConfirm ? "tooLate" : "ready";
  return data<ConfirmPageData>({ state, confirmation }, { headers: noStore });
}

/**
 * The press confirms, then leads to the appeal's shared "confirmed" page (Post/Redirect/Get):
 * reloading it sends nothing again, and the answer here is a redirect instead of a page.
 */
export async function action({ params, context, request }: ActionFunctionArgs) {
  // A browser's press has usually been answered before Remix (form-posts.server.ts); what comes
  // here decided is an outcome this page shows.
  const confirmation = await (context.decidedFormPost?.form === "confirm" ? context.decidedFormPost.outcome : pressConfirm(context, params.token ?? ""));
  const confirmedPage = pageAfterConfirming(context, confirmation, chosenLanguageOf(request));
  if (confirmedPage) return redirect(confirmedPage, { status: 303, headers: noStore });
  if (!confirmation) return data<ConfirmPageData>({ state: "invalid" }, { status: 404, headers: noStore });
  const { withdrawToken: _none, ...shown } = confirmation;
  return data<ConfirmPageData>({ state: "tooLate", confirmation: shown }, { status: 409, headers: noStore });
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
  const { t, date } = useT();
  const press = useDocumentPostPending();

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

  const { pending: submitting, onSubmit } = press;
  return (
    <div className="page narrow card">
      <h1>{t("confirm.title")}</h1>
      <p>{t("confirm.intro", { name: confirmation.fullName, title: confirmation.appeal.title })}</p>
      <Form method="post" reloadDocument onSubmit={onSubmit}>
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? t("confirm.confirming") : t("confirm.button")}
        </button>
      </Form>
    </div>
  );
}
