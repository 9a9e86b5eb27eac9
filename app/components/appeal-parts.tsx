import { Link } from "@remix-run/react";
import { Fragment } from "react";
import type { AppealView } from "~/domain/appeals";
import { useT } from "~/i18n/react";

/** Links to the appeal's text in its other languages, each named in its own language. */
function LanguageChoice({ current, locales }: { current: string; locales: string[] }) {
  const { t } = useT();
  if (locales.length < 2) return null;
  const nameOf = (locale: string) => new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale;
  return (
    <nav className="languages" aria-label={t("appeal.languages")}>
      {locales.map((locale) =>
        locale === current ? (
          <span key={locale} lang={locale} aria-current="true">
            {nameOf(locale)}
          </span>
        ) : (
          <Link key={locale} to={`?lang=${encodeURIComponent(locale)}`} lang={locale} hrefLang={locale} preventScrollReset>
            {nameOf(locale)}
          </Link>
        ),
      )}
    </nav>
  );
}

/** `bodyHtml` is the appeal's Markdown rendered by renderMarkdown on the server (no raw HTML). */
export function AppealText({ appeal, bodyHtml }: { appeal: AppealView; bodyHtml: string }) {
  const { t, date } = useT();
  return (
    <article>
      <LanguageChoice current={appeal.locale} locales={appeal.locales} />
      <h1 lang={appeal.locale}>{appeal.title}</h1>
      <p className="appeal-meta">
        {appeal.publishedAt ? t("appeal.published", { date: date(appeal.publishedAt) }) : null}
        {appeal.acceptsSignatures && appeal.closesAt ? <> · {t("appeal.closes", { date: date(appeal.closesAt) })}</> : null}
      </p>
      {appeal.acceptsSignatures ? null : <p className="notice">{t("appeal.closed")}</p>}
      {appeal.summary ? (
        <p className="appeal-summary" lang={appeal.locale}>
          {appeal.summary}
        </p>
      ) : null}
      <div className="appeal-text" lang={appeal.locale} dangerouslySetInnerHTML={{ __html: bodyHtml }} />
    </article>
  );
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

export function SignatureProgress({ confirmed, goal }: { confirmed: number; goal: number | null }) {
  const { t } = useT();
  return (
    <div className="progress" data-testid="signature-count">
      <p className="count">{t("appeal.count", { count: confirmed })}</p>
      {goal ? (
        <>
          <p className="goal" id="goal-text">
            {t("appeal.goal", { count: confirmed, goal })}
          </p>
          <progress max={goal} value={Math.min(confirmed, goal)} aria-label={t("appeal.progressLabel")} aria-describedby="goal-text" />
        </>
      ) : null}
    </div>
  );
}
