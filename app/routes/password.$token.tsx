import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { findPasswordLink, setPasswordWithLink } from "~/domain/organizer-accounts.server";
import { privatePageCacheControl, readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { sessionCookie } from "~/infra/session-cookie.server";

/**
 * The link from an invitation, from `npm run organizer -- create`, or from "forgot password".
 * Opening it changes nothing (mail scanners open links); saving uses it up.
 */
const noStore = { "Cache-Control": privatePageCacheControl };

export const meta: MetaFunction = ({ matches }) => [{ name: "robots", content: "noindex" }, { title: pageTitle(matches, { id: "password.setTitle" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await findPasswordLink(context.db, params.token ?? "");
  if (!link) return data({ link: null }, { status: 404, headers: noStore });
  return data({ link }, { headers: noStore });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const outcome = await setPasswordWithLink(context.db, params.token ?? "", { password: form.get("password"), confirmation: form.get("confirmation") }, context.sessions);
  if (!outcome.ok) {
    if ("invalidLink" in outcome) return data({ fieldErrors: {}, invalidLink: true }, { status: 404, headers: noStore });
    return data({ fieldErrors: outcome.fieldErrors, invalidLink: false }, { status: 400, headers: noStore });
  }
  context.log.info({ organizerId: outcome.organizer.id }, "organizer password set");
  return redirect("/organize", {
    status: 303,
    headers: { "Set-Cookie": sessionCookie(outcome.session.token, outcome.session.expiresAt, { secure: context.sessions.secureCookie }) },
  });
}

export default function PasswordPage() {
  const { link } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);

  if (!link || result?.invalidLink) {
    return (
      <div className="page narrow card">
        <h1>{t("password.invalidTitle")}</h1>
        <p>{t("password.invalidBody")}</p>
        <p>
          <Link to="/forgot-password">{t("signIn.forgot")}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page narrow card">
      <h1>{t(link.purpose === "RESET_PASSWORD" ? "password.resetTitle" : "password.setTitle")}</h1>
      <p>{t("password.intro", { name: link.name, email: link.email })}</p>
      <ErrorSummary fieldErrors={result?.fieldErrors} order={["password", "confirmation"]} />
      <Form method="post" className="form" noValidate>
        {/* Lets password managers store the new password under the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={link.email} />
        <TextField name="password" type="password" label={t("password.new")} hint={t("password.hint")} autoComplete="new-password" required minLength={12} maxLength={128} error={message("password")} />
        <TextField name="confirmation" type="password" label={t("password.confirm")} autoComplete="new-password" required error={message("confirmation")} />
        {link.purpose === "RESET_PASSWORD" ? <p className="hint">{t("password.resetNote")}</p> : null}
        <div className="button-row">
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("password.submit")}
          </button>
        </div>
      </Form>
    </div>
  );
}
