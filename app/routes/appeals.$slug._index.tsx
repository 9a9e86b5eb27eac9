import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  AppealAttachments,
  AppealAuthors,
  AppealPublisher,
  AppealText,
  SignatureProgress,
} from "~/components/appeal-parts";
import { honeypotField, SignForm, type SignFormFields } from "~/components/sign-form";
import { SignerList } from "~/components/signer-list";
import { findSignableAppeal, getPublicAppeal } from "~/domain/appeals";
import { countryOptions } from "~/domain/countries";
import { renderMarkdown } from "~/domain/markdown.server";
import { listPublicSigners } from "~/domain/signers";
import { signatureFields, signAppeal, validateSignature } from "~/domain/signatures";
import { negotiateLocale } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { publicPageCacheHeaders, readFormFields } from "~/http";

const signersOnAppealPage = 10;

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const locale = negotiateLocale(request.headers.get("accept-language"));
  // ?lang= picks the language of the appeal's text (the reader chose it from the list).
  const textLocale = new URL(request.url).searchParams.get("lang") ?? locale;
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", textLocale);
  if (!appeal) throw data(null, { status: 404 });
  const firstSigners = await listPublicSigners(context.db, appeal.id, { limit: signersOnAppealPage });
  return data(
    { appeal, bodyHtml: renderMarkdown(appeal.body), firstSigners, countries: countryOptions(locale) },
    { headers: publicPageCacheHeaders },
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.appeal.title } : undefined) },
  ...(loaded
    ? [
        { property: "og:type", content: "article" },
        { property: "og:title", content: loaded.appeal.title },
        ...(loaded.appeal.summary
          ? [
              { name: "description", content: loaded.appeal.summary },
              { property: "og:description", content: loaded.appeal.summary },
            ]
          : []),
      ]
    : []),
];

/** Someone pressed "Sign". */
export async function action({ params, request, context }: ActionFunctionArgs) {
  const appeal = await findSignableAppeal(context.db, params.slug ?? "");
  if (!appeal) throw data(null, { status: 404 });
  const thanks = `/appeals/${encodeURIComponent(appeal.slug)}/thanks`;

  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  // A filled honeypot is a bot: it gets the same page a person would, and nothing is stored.
  if (form.get(honeypotField)) return redirect(thanks, 303);
  // Only the form's own fields are echoed back into the page.
  const fields: SignFormFields = Object.fromEntries(signatureFields.flatMap((name) => (form.has(name) ? [[name, form.get(name)]] : [])));

  if (!appeal.acceptsSignatures) return data({ fields, fieldErrors: {}, closed: true, retryAfterMinutes: null }, { status: 409 });

  const validated = validateSignature(fields);
  if (!validated.ok) return data({ fields, fieldErrors: validated.fieldErrors, closed: false, retryAfterMinutes: null }, { status: 400 });

  const limit = await context.signingRateLimit.consume(appeal.id, context.clientAddress);
  if (!limit.allowed) {
    context.log.warn({ appealId: appeal.id }, "signing rate limit reached");
    return data(
      { fields, fieldErrors: {}, closed: false, retryAfterMinutes: Math.ceil(limit.retryAfterSeconds / 60) },
      { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }

  const locale = negotiateLocale(request.headers.get("accept-language"));
  const outcome = await signAppeal(context.db, appeal.id, validated.input, { locale });
  context.log.info({ appealId: appeal.id, signatureId: outcome.signatureId, emailQueued: outcome.emailQueued }, "signature submitted");
  return redirect(thanks, 303);
}

export default function AppealPage() {
  const { appeal, bodyHtml, firstSigners, countries } = useLoaderData<typeof loader>();
  const submitted = useActionData<typeof action>();
  const { t } = useT();
  const unlisted = appeal.counts.confirmed - appeal.counts.listed;

  return (
    <div className="page appeal-layout">
      <div className="card">
        {appeal.acceptsSignatures ? (
          // On a phone the form comes after the whole letter; this takes the reader straight there.
          <p className="jump-to-sign">
            <a href="#sign-form" className="button">
              {t("appeal.jumpToSign", { count: appeal.counts.confirmed })}
            </a>
          </p>
        ) : null}
        <AppealText appeal={appeal} bodyHtml={bodyHtml} />
        <AppealAuthors authors={appeal.authors} />
        <AppealAttachments attachments={appeal.attachments} />
        <AppealPublisher publisher={appeal.publisher} />
      </div>
      <aside aria-label={t("signForm.heading")}>
        <div className="card">
          <SignatureProgress confirmed={appeal.counts.confirmed} goal={appeal.signatureGoal} />
          {appeal.acceptsSignatures && !submitted?.closed ? (
            <SignForm
              countries={countries}
              fields={submitted?.fields}
              fieldErrors={submitted?.fieldErrors}
              retryAfterMinutes={submitted?.retryAfterMinutes ?? undefined}
            />
          ) : (
            <p className="notice">{t("signForm.closed")}</p>
          )}
        </div>
        <section className="card" style={{ marginTop: "1.5rem" }} aria-labelledby="signers-heading">
          <h2 id="signers-heading" style={{ marginTop: 0 }}>
            {t("appeal.signersHeading")}
          </h2>
          {firstSigners.signers.length === 0 ? <p>{t("appeal.signersEmpty")}</p> : <SignerList signers={firstSigners.signers} />}
          {unlisted > 0 ? <p className="unlisted">{t("appeal.unlisted", { count: unlisted })}</p> : null}
          {firstSigners.nextCursor ? (
            <p>
              <Link to="signers">{t("appeal.moreSigners")}</Link>
            </p>
          ) : null}
        </section>
      </aside>
    </div>
  );
}
