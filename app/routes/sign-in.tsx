import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { TextField } from "~/components/form-fields";
import { signIn } from "~/domain/organizer-accounts.server";
import { pathAfterSignIn } from "~/domain/organizers";
import { actionHeadersFirst, privatePageCacheControl, readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { sessionCookie } from "~/infra/session-cookie.server";

export const meta: MetaFunction = ({ matches }) => [{ name: "robots", content: "noindex" }, { title: pageTitle(matches, { id: "signIn.title" }) }];


// A throttled sign-in's 429 keeps its Retry-After.
export const headers = actionHeadersFirst;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (context.organizer) throw redirect(pathAfterSignIn(url.searchParams.get("next")), 303);
  return data({ next: pathAfterSignIn(url.searchParams.get("next")), signedOut: url.searchParams.has("signed-out") }, { headers: { "Cache-Control": privatePageCacheControl } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const email = (form.get("email") ?? "").slice(0, 320);
  const outcome = await signIn(context.db, context.signInThrottle, { email, password: (form.get("password") ?? "").slice(0, 1024), clientAddress: context.clientAddress }, context.sessions);
  if (!outcome.ok) {
    if (outcome.reason === "throttled") context.log.warn("sign-in throttled");
    const retryAfterMinutes = outcome.reason === "throttled" ? Math.ceil(outcome.retryAfterSeconds / 60) : null;
    return data(
      { email, retryAfterMinutes },
      {
        status: outcome.reason === "throttled" ? 429 : 401,
        headers: { "Cache-Control": privatePageCacheControl, ...(outcome.reason === "throttled" ? { "Retry-After": String(outcome.retryAfterSeconds) } : {}) },
      },
    );
  }
  context.log.info({ organizerId: outcome.organizer.id }, "organizer signed in");
  return redirect(pathAfterSignIn(form.get("next")), {
    status: 303,
    headers: { "Set-Cookie": sessionCookie(outcome.session.token, outcome.session.expiresAt, { secure: context.sessions.secureCookie }) },
  });
}

export default function SignInPage() {
  const { next, signedOut } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  const problemRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failed) problemRef.current?.focus();
  }, [failed]);

  return (
    <div className="page narrow">
      <div className="card">
        <h1>{t("signIn.title")}</h1>
        <p>{t("signIn.intro")}</p>
        {signedOut && !failed ? (
          <p className="notice" role="status">
            {t("signIn.signedOut")}
          </p>
        ) : null}
        {failed ? (
          <div className="error-summary" role="alert" tabIndex={-1} ref={problemRef}>
            {failed.retryAfterMinutes ? t("signIn.throttled", { minutes: failed.retryAfterMinutes }) : t("signIn.invalid")}
          </div>
        ) : null}
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="next" value={next} />
          <TextField name="email" type="email" label={t("signIn.email")} autoComplete="username" required defaultValue={failed?.email} spellCheck={false} />
          <TextField name="password" type="password" label={t("signIn.password")} autoComplete="current-password" required />
          <div className="button-row">
            <button type="submit" className="button" disabled={navigation.state !== "idle"}>
              {navigation.state !== "idle" ? t("signIn.submitting") : t("signIn.submit")}
            </button>
            <Link to="/forgot-password">{t("signIn.forgot")}</Link>
          </div>
        </Form>
      </div>
    </div>
  );
}
