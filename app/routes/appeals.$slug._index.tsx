import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import proofOfWorkStyles from "altcha/altcha.css";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  AppealAttachments,
  AppealAuthors,
  AppealPublisher,
  AppealText,
  SignatureProgress,
} from "~/components/appeal-parts";
import { SignForm } from "~/components/sign-form";
import { SignerList } from "~/components/signer-list";
import { getPublicAppeal } from "~/domain/appeals";
import { countryOptions } from "~/domain/countries";
import { renderMarkdown } from "~/domain/markdown.server";
import { listPublicSigners } from "~/domain/signers";
import { issueFormToken } from "~/domain/form-timing.server";
import { submitSignature } from "~/domain/signatures";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { actionHeadersFirst, privatePageCacheControl, publicPageCacheHeaders, readFormFields } from "~/http";

const signersOnAppealPage = 10;

// The proof-of-work widget's own styles, from this site (its bundle would otherwise inject them inline).
export const links: LinksFunction = () => [{ rel: "stylesheet", href: proofOfWorkStyles }];

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const locale = context.locale;
  // ?lang= picks the language of the appeal's text (the reader chose it from the list).
  const textLocale = new URL(request.url).searchParams.get("lang") ?? locale;
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", textLocale);
  if (!appeal) throw data(null, { status: 404 });
  const firstSigners = await listPublicSigners(context.db, appeal.id, { limit: signersOnAppealPage });
  return data(
    { appeal, bodyHtml: renderMarkdown(appeal.body), firstSigners, countries: countryOptions(locale), formIssuedAt: issueFormToken(context.secret) },
    { headers: publicPageCacheHeaders },
  );
}

// An action's answer (it echoes what was typed) keeps its own headers; a page keeps the loader's.
export const headers = actionHeadersFirst;

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

/**
 * Someone pressed "Sign". The rules are in submitSignature; the answer is the thanks page for
 * every accepted submission, held or not, so nothing here tells a bot what happened.
 */
export async function action({ params, request, context }: ActionFunctionArgs) {
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const locale = context.locale;
  const outcome = await submitSignature(context.db, { limits: context.signingLimits, secret: context.secret, minimumFillTimeMs: context.minimumFillTimeMs }, params.slug ?? "", form, {
    locale,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get("user-agent"),
  });
  // What a person typed is echoed back: never stored by a cache.
  const privately = { headers: { "Cache-Control": privatePageCacheControl } };
  switch (outcome.kind) {
    case "notFound":
      throw data(null, { status: 404 });
    case "closed":
      return data({ fields: outcome.fields, fieldErrors: {}, closed: true, proofOfWork: null }, { status: 409, ...privately });
    case "invalid":
      return data({ fields: outcome.fields, fieldErrors: outcome.fieldErrors, closed: false, proofOfWork: null }, { status: 400, ...privately });
    case "proofOfWorkNeeded":
      return data({ fields: outcome.fields, fieldErrors: {}, closed: false, proofOfWork: outcome.problem }, { status: 400, ...privately });
    case "accepted":
      if (outcome.signatureId) context.log.info({ signatureId: outcome.signatureId, held: outcome.held }, "signature submitted");
      return redirect(`/appeals/${encodeURIComponent(outcome.slug)}/thanks`, 303);
  }
}

export default function AppealPage() {
  const { appeal, bodyHtml, firstSigners, countries, formIssuedAt } = useLoaderData<typeof loader>();
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
              formIssuedAt={formIssuedAt}
              proofOfWork={appeal.proofOfWork === "OFF" ? null : { always: appeal.proofOfWork === "ALWAYS", problem: submitted?.proofOfWork ?? null }}
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
          <p>
            <Link to="signers">{t("openData.signersPageLink")}</Link>
          </p>
        </section>
      </aside>
    </div>
  );
}
