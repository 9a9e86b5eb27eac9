import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { TextField } from "~/components/form-fields";
import { requestPasswordReset } from "~/domain/organizer-accounts.server";
import { privatePageCacheControl, readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export const meta: MetaFunction = ({ matches }) => [{ name: "robots", content: "noindex" }, { title: pageTitle(matches, { id: "forgot.title" }) }];

/** The same answer whether or not the address has an account (the job decides whether to send). */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  // Past the limit the answer is the same, and nothing is sent: the page tells nothing either way.
  if (await context.passwordResetLimit.allow(context.clientAddress)) await requestPasswordReset(context.db, form.get("email") ?? "");
  else context.log.warn("password reset requests rate-limited");
  return data({ sent: true }, { headers: { "Cache-Control": privatePageCacheControl } });
}

export default function ForgotPasswordPage() {
  const result = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  if (result?.sent) {
    return (
      <div className="page narrow card success">
        <h1>{t("forgot.sentTitle")}</h1>
        <p role="status">{t("forgot.sent")}</p>
        <p>
          <Link to="/sign-in">{t("forgot.back")}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page narrow card">
      <h1>{t("forgot.title")}</h1>
      <p>{t("forgot.intro")}</p>
      <Form method="post" className="form" noValidate>
        <TextField name="email" type="email" label={t("signIn.email")} autoComplete="username" required spellCheck={false} />
        <div className="button-row">
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("forgot.submit")}
          </button>
          <Link to="/sign-in">{t("forgot.back")}</Link>
        </div>
      </Form>
    </div>
  );
}
