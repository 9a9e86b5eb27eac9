import { Link } from "@remix-run/react";
import { Fragment, type ReactNode } from "react";
import type { AppealView } from "~/domain/appeals";
import { useT } from "~/i18n/react";

/** Links to the appeal's text in its other languages, each named in its own language. */
function LanguageChoice({ current, locales }: { current: string; locales: string[] }) {
  const { t, ownLanguageName: nameOf } = useT();
  if (locales.length < 2) return null;
  return (
    <nav className="languages" aria-label={t("appeal.languages")}>
      {locales.map((locale) =>
        locale === current ? (
          <span key={locale} lang={locale} aria-current="true">
            {nameOf(locale)}
          </span>
        ) : (
          // A whole page load: the interface may change language too, and its messages come with the page (public-messages.ts).
          <Link key={locale} to={`?lang=${encodeURIComponent(locale)}`} lang={locale} hrefLang={locale} reloadDocument>
            {nameOf(locale)}
          </Link>
        ),
      )}
    </nav>
  );
}

/**
 * An appeal as visitors read it. The head (who publishes it, the title, the summary) and the
 * count come first on every screen: on a phone the count sits right under the head, before the
 * letter; on a wide screen it heads the column beside the letter, above the form.
 */
export function AppealLayout({
  appeal,
  bodyHtml,
  className,
  signing,
  signers,
}: {
  appeal: AppealView;
  bodyHtml: string;
  className?: string;
  /** The sign form, or why there is none; absent in the organizer's preview. */
  signing?: ReactNode;
  signers?: ReactNode;
}) {
  const { t } = useT();
  return (
    <article className={`page appeal-layout${className ? ` ${className}` : ""}`} aria-labelledby="appeal-title">
      <AppealHeading appeal={appeal} />
      <div className="appeal-side">
        <section className="card progress-card" aria-label={t("appeal.progressHeading")}>
          <SignatureProgress confirmed={appeal.counts.confirmed} goal={appeal.signatureGoal} />
          {signing && appeal.acceptsSignatures ? (
            // On a phone the form comes after the whole letter; this takes the reader straight there.
            <p className="jump-to-sign">
              <a href="#sign-form" className="button wide">
                {t("appeal.jumpToSign", { count: appeal.counts.confirmed })}
              </a>
            </p>
          ) : null}
        </section>
        {signing ? <div className="card sign-card">{signing}</div> : null}
        {signers ? <div className="card signers-card">{signers}</div> : null}
      </div>
      <div className="card appeal-body">
        <AppealText appeal={appeal} bodyHtml={bodyHtml} />
        <AppealAuthors authors={appeal.authors} />
        <AppealAttachments attachments={appeal.attachments} />
        <AppealPublisher publisher={appeal.publisher} />
      </div>
    </article>
  );
}

/** Who publishes the appeal and when, its title and summary, in the language being read. */
function AppealHeading({ appeal }: { appeal: AppealView }) {
  const { t, date } = useT();
  return (
    <header className="appeal-head">
      <LanguageChoice current={appeal.locale} locales={appeal.locales} />
      <p className="appeal-byline">
        {t("appeal.publishedBy")} <a href="#publisher-heading">{appeal.publisher.name}</a>
        {appeal.publishedAt ? (
          <>
            {" · "}
            <time dateTime={new Date(appeal.publishedAt).toISOString().slice(0, 10)}>{date(appeal.publishedAt)}</time>
          </>
        ) : null}
      </p>
      <h1 id="appeal-title" lang={appeal.locale}>
        {appeal.title}
      </h1>
      {appeal.summary ? (
        <p className="appeal-summary" lang={appeal.locale}>
          {appeal.summary}
        </p>
      ) : null}
      {appeal.acceptsSignatures || appeal.status === "DRAFT" ? (
        // A draft, seen in the organizers' preview, will take signatures once published: it is not
        // closed, and says until when only while that day is ahead.
        appeal.closesAt && !appeal.deadlinePassed ? (
          <p className="appeal-meta">{t("appeal.closes", { date: date(new Date(appeal.closesAt)) })}</p>
        ) : null
      ) : (
        <p className="notice">{appeal.closedAt ? t("appeal.closedOn", { date: date(new Date(appeal.closedAt)) }) : t("appeal.closed")}</p>
      )}
    </header>
  );
}

/** `bodyHtml` is the appeal's Markdown rendered by renderMarkdown on the server (no raw HTML). */
function AppealText({ appeal, bodyHtml }: { appeal: AppealView; bodyHtml: string }) {
  return <div className="appeal-text" lang={appeal.locale} dangerouslySetInnerHTML={{ __html: bodyHtml }} />;
}

export function AppealAuthors({ authors }: { authors: AppealView["authors"] }) {
  const { t } = useT();
  if (authors.length === 0) return null;
  return (
    <section aria-labelledby="authors-heading">
      <h2 id="authors-heading">{t("appeal.authorsHeading")}</h2>
      <ul className="authors">
        {authors.map((author, index) => (
          <li key={index}>
            <span className="name">{author.name}</span>
            {author.role ? <span className="role">, {author.role}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function AppealAttachments({ attachments }: { attachments: AppealView["attachments"] }) {
  const { t, number } = useT();
  if (attachments.length === 0) return null;
  return (
    <section aria-labelledby="attachments-heading">
      <h2 id="attachments-heading">{t("appeal.attachmentsHeading")}</h2>
      <div className="gallery">
        {attachments.map((attachment) => (
          <figure className="figure" key={attachment.id}>
            {attachment.display ? (
              <a href={attachment.original.url}>
                <img
                  src={attachment.display.url}
                  width={attachment.display.width}
                  height={attachment.display.height}
                  alt={attachment.altText}
                  loading="lazy"
                />
              </a>
            ) : (
              <a className="document-link" href={attachment.original.url} type={attachment.original.contentType}>
                <span className="document-icon" aria-hidden="true">
                  PDF
                </span>
                <span>
                  <span className="document-name">{attachment.altText}</span>
                  <span className="document-size">
                    {t("appeal.attachmentPdf", { size: number(Math.max(0.1, attachment.original.byteSize / 1_048_576)) })}
                  </span>
                </span>
              </a>
            )}
            {attachment.caption || attachment.credit ? (
              <figcaption>
                {attachment.caption}
                {attachment.credit ? <span className="credit">{t("appeal.attachmentCredit", { credit: attachment.credit })}</span> : null}
              </figcaption>
            ) : null}
          </figure>
        ))}
      </div>
    </section>
  );
}

export function AppealPublisher({ publisher }: { publisher: AppealView["publisher"] }) {
  const { t } = useT();
  return (
    <section className="publisher" aria-labelledby="publisher-heading">
      <h2 id="publisher-heading">{t("appeal.publisherHeading")}</h2>
      <p>
        <strong>{publisher.name}</strong>
      </p>
      {publisher.about ? <p className="publisher-about">{publisher.about}</p> : null}
      {publisher.email || publisher.phones.length > 0 || publisher.website ? (
        <dl>
          {publisher.email ? (
            <>
              <dt>{t("appeal.publisherEmail")}</dt>
              <dd>
                <a href={`mailto:${publisher.email}`}>{publisher.email}</a>
              </dd>
            </>
          ) : null}
          {publisher.phones.map((phone, index) => (
            <Fragment key={index}>
              <dt>{phone.label ?? t("appeal.publisherPhone")}</dt>
              <dd>
                <a href={`tel:${phone.number.replace(/[^+\d]/g, "")}`}>{phone.number}</a>
              </dd>
            </Fragment>
          ))}
          {publisher.website ? (
            <>
              <dt>{t("appeal.publisherWebsite")}</dt>
              <dd>
                <a href={publisher.website} rel="noopener noreferrer">
                  {publisher.website.replace(/^https?:\/\//, "").replace(/\/$/, "")}
                </a>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <p className="link-row">
        {publisher.moreInfoUrl ? (
          <a href={publisher.moreInfoUrl} rel="noopener noreferrer">
            {t("appeal.moreInfo")}
          </a>
        ) : null}
        {publisher.supportUrl ? (
          <a href={publisher.supportUrl} rel="noopener noreferrer">
            {t("appeal.support")}
          </a>
        ) : null}
      </p>
    </section>
  );
}

/**
 * The count, big, and how far it is to the goal. The bar always shows that something has
 * started (a sliver at 1 of 1,000) and reads as an empty track before the first signature.
 */
export function SignatureProgress({ confirmed, goal }: { confirmed: number; goal: number | null }) {
  const { t, number, percent } = useT();
  const share = goal ? Math.min(confirmed / goal, 1) : 0;
  return (
    <div className="progress" data-testid="signature-count">
      <p className="count">
        <span className="count-number">{number(confirmed)}</span> <span className="count-label">{t("appeal.countLabel", { count: confirmed })}</span>
      </p>
      {goal ? (
        <>
          <progress
            className={confirmed > 0 ? "started" : undefined}
            max={goal}
            value={Math.min(confirmed, goal)}
            aria-label={t("appeal.progressLabel")}
            aria-describedby="goal-text"
          />
          <p className="goal" id="goal-text">
            <span>{t("appeal.goalOf", { goal })}</span>
            {confirmed > 0 ? <span>{share > 0 && share < 0.01 ? t("appeal.underOnePercent") : percent(share)}</span> : null}
          </p>
        </>
      ) : null}
      {confirmed === 0 ? <p className="count-note">{t("appeal.beFirst")}</p> : null}
    </div>
  );
}
