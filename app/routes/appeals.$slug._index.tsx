import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import proofOfWorkStyles from "altcha/altcha.css";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AppealLayout } from "~/components/appeal-parts";
import { appealShareMeta } from "~/components/share-meta";
import { ShareLinks } from "~/components/share-links";
import { SignForm } from "~/components/sign-form";
import { SignerList } from "~/components/signer-list";
import { getPublicAppeal } from "~/domain/appeals";
import { countryOptions } from "~/domain/countries";
import { renderMarkdown } from "~/domain/markdown.server";
import { listPublicSigners } from "~/domain/signers";
import { issueFormToken } from "~/domain/form-timing.server";
import type { SubmissionOutcome } from "~/domain/signatures";
import { pageAfterSigning, submitSignForm } from "~/form-posts.server";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { actionHeadersFirst, privatePageCacheControl, publicPageCacheHeaders, readFormFields } from "~/http";

const signersOnAppealPage = 10;

// The proof-of-work widget's own styles, from this site (its bundle would otherwise inject them inline).
export const links: LinksFunction = () => [{ rel: "stylesheet", href: proofOfWorkStyles }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const locale = context.locale;
  // A ?lang= link or the remembered choice picks the language of the appeal's text.
  const appeal = await getPublicAppeal(context.db, params.slug ?? "", context.readingLanguage);
  if (!appeal) throw data(null, { status: 404 });
  const firstSigners = await listPublicSigners(context.db, appeal.id, { limit: signersOnAppealPage });
  return data(
    {
      appeal,
      bodyHtml: renderMarkdown(appeal.body),
      firstSigners,
      countries: countryOptions(locale),
      formIssuedAt: issueFormToken(context.secret),
      pageUrl: new URL(`/appeals/${appeal.slug}`, context.publicUrl).href,
    },
    { headers: publicPageCacheHeaders },
  );
}

// An action's answer (it echoes what was typed) keeps its own headers; a page keeps the loader's.
export const headers = actionHeadersFirst;

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => [
  { title: pageTitle(matches, loaded ? { text: loaded.appeal.title } : undefined) },
  ...(loaded
    ? [
        ...appealShareMeta(matches, { ...loaded.appeal, confirmed: loaded.appeal.counts.confirmed }),
        // Search engines and link previews learn the appeal's other languages.
        ...loaded.appeal.locales.map((language) => ({ tagName: "link", rel: "alternate", hrefLang: language, href: `${loaded.pageUrl}?lang=${language}` })),
      ]
    : []),
];

/**
 * Someone pressed "Sign" (form-posts.server.ts; a browser's post has usually been submitted and
 * answered before Remix, which then only shows an outcome that is not the thanks page). The answer
 * is the thanks page for every accepted submission, held or not, so nothing here tells a bot what
 * happened.
 */
export async function action({ params, request, context }: ActionFunctionArgs) {
  let outcome: SubmissionOutcome;
  if (context.decidedFormPost?.form === "sign") outcome = await context.decidedFormPost.outcome;
  else {
    const form = await readFormFields(request);
    if (!form) throw data(null, { status: 400 });
    outcome = await submitSignForm(context, params.slug ?? "", form, request.headers.get("user-agent"));
  }
  const thanksPage = pageAfterSigning(context, outcome);
  if (thanksPage) return redirect(thanksPage, 303);
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
      throw new Error("an accepted submission leads to the thanks page");
  }
}

export default function AppealPage() {
  const { appeal, bodyHtml, firstSigners, countries, formIssuedAt } = useLoaderData<typeof loader>();
  const submitted = useActionData<typeof action>();
  const { t } = useT();
  const unlisted = appeal.counts.confirmed - appeal.counts.listed;

  return (
    <AppealLayout
      appeal={appeal}
      bodyHtml={bodyHtml}
      // A closed appeal says so under its title; the column beside it keeps the count and the signers.
      // Only a form sent in the moment the appeal closed is answered here.
      signing={
        !appeal.acceptsSignatures ? null : submitted?.closed ? (
          <p className="notice">{t("signForm.closed")}</p>
        ) : (
          <SignForm
            countries={countries}
            fields={submitted?.fields}
            fieldErrors={submitted?.fieldErrors}
            formIssuedAt={formIssuedAt}
            proofOfWork={appeal.proofOfWork === "OFF" ? null : { always: appeal.proofOfWork === "ALWAYS", problem: submitted?.proofOfWork ?? null }}
          />
        )
      }
      signers={
        <>
        <section aria-labelledby="signers-heading">
          <h2 id="signers-heading">{t("appeal.signersHeading")}</h2>
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
          <ShareLinks slug={appeal.slug} title={appeal.title} compact />
        </>
      }
    />
  );
}
