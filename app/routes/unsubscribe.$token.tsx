import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { findUnsubscribe, unsubscribeFromUpdates, type UnsubscribeView } from "~/domain/updates";
import { privatePageCacheControl } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/**
 * The unsubscribe link in every update to signers (and its List-Unsubscribe header). Opening it
 * changes nothing — mail scanners fetch links — it shows a button. A POST unsubscribes at once:
 * that is the button, and RFC 8058's one-click POST from a mail program, which comes from
 * another site and is let through the edge's cross-site check for this path alone.
 */
const noStore = { "Cache-Control": privatePageCacheControl };

type UnsubscribePageData = { state: "invalid"; privacyContactEmail: string } | { state: "ready" | "done"; view: UnsubscribeView };

export async function loader({ params, context }: LoaderFunctionArgs) {
  const view = await findUnsubscribe(context.db, params.token ?? "", context.readingLanguage);
  if (!view) return data<UnsubscribePageData>({ state: "invalid", privacyContactEmail: context.site.privacyContactEmail }, { status: 404, headers: noStore });
  return data<UnsubscribePageData>({ state: view.unsubscribed ? "done" : "ready", view }, { headers: noStore });
}

export async function action({ params, context }: ActionFunctionArgs) {
  const view = await unsubscribeFromUpdates(context.db, params.token ?? "", context.readingLanguage);
  if (!view) return data<UnsubscribePageData>({ state: "invalid", privacyContactEmail: context.site.privacyContactEmail }, { status: 404, headers: noStore });
  context.log.info({ signatureId: view.signatureId }, "unsubscribed from updates");
  return data<UnsubscribePageData>({ state: "done", view }, { headers: noStore });
}

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => (actionHeaders.has("Cache-Control") ? actionHeaders : loaderHeaders);

export const meta: MetaFunction = ({ matches }) => [{ name: "robots", content: "noindex" }, { title: pageTitle(matches, { id: "unsubscribe.title" }) }];

export default function UnsubscribePage() {
  const loaded = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>();
  const page = done ?? loaded;
  const { t } = useT();
  const navigation = useNavigation();

  if (page.state === "invalid") {
    return (
      <div className="page narrow card">
        <h1>{t("unsubscribe.invalidTitle")}</h1>
        <p>{t("unsubscribe.invalidBody", { email: page.privacyContactEmail })}</p>
      </div>
    );
  }
  const appealPath = `/appeals/${encodeURIComponent(page.view.appeal.slug)}`;
  if (page.state === "done") {
    return (
      <div className="page narrow card success">
        <h1>{t("unsubscribe.doneTitle")}</h1>
        <p>{t("unsubscribe.doneBody", { title: page.view.appeal.title })}</p>
        <p>
          <Link to={appealPath}>{t("unsubscribe.viewAppeal")}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page narrow card">
      <h1>{t("unsubscribe.title")}</h1>
      <p>{t("unsubscribe.intro", { title: page.view.appeal.title })}</p>
      <Form method="post">
        <button type="submit" className="button" disabled={navigation.state !== "idle"}>
          {navigation.state !== "idle" ? t("unsubscribe.working") : t("unsubscribe.button")}
        </button>
      </Form>
    </div>
  );
}
