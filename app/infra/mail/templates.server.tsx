import { renderToStaticMarkup } from "react-dom/server";
import { renderMarkdown } from "~/domain/markdown.server";
import type { OrganizerEmail } from "~/domain/organizer-accounts.server";
import type { SignatureEmail } from "~/domain/signature-emails";
import { defaultLocale } from "~/i18n/i18n";
import { createTranslator } from "~/i18n/languages.server";
import { dateTimeFormat } from "~/i18n/message-format";
import type { OutgoingEmail } from "./mailer.server";

/**
 * Plain text for every client, and simple HTML rendered by React so that every value a
 * signer typed (their name) is escaped.
 */
export function renderSignatureEmail(email: SignatureEmail): OutgoingEmail {
  const { t } = createTranslator(email.locale);
  const title = email.appealTitle;
  const signoff = t("email.signoff", { publisher: email.publisherName });
  const greeting = t("email.confirm.greeting", { name: email.fullName });
  // Every email about a signature says how to take it back.
  const withdrawText = t("email.withdraw.text", { url: email.withdrawUrl });
  const withdrawHtml = (
    <p style={{ fontSize: "13px", color: "#555" }}>
      {t("email.withdraw.before")} <a href={email.withdrawUrl}>{t("email.withdraw.link")}</a>
      <br />
      <span style={rawLinkStyle}>{email.withdrawUrl}</span>
    </p>
  );

  if (email.kind === "confirm-signature") {
    const subject = t("email.confirm.subject", { title });
    const text = [
      greeting,
      "",
      t("email.confirm.body", { title }),
      email.confirmUrl,
      "",
      t("email.confirm.ignore"),
      "",
      withdrawText,
      "",
      signoff,
    ].join("\n");
    const html = page(
      email.locale,
      subject,
      <>
        <p>{greeting}</p>
        <p>{t("email.confirm.body", { title })}</p>
        <p>
          <a href={email.confirmUrl} style={buttonStyle}>
            {t("email.confirm.button")}
          </a>
        </p>
        <p style={rawLinkStyle}>{email.confirmUrl}</p>
        <p>{t("email.confirm.ignore")}</p>
        {withdrawHtml}
        <p>{signoff}</p>
      </>,
    );
    return { to: email.to, subject, text, html };
  }

  const subject = t("email.alreadySigned.subject", { title });
  const text = [
    greeting,
    "",
    t("email.alreadySigned.body", { title }),
    "",
    t("email.alreadySigned.view", { url: email.appealUrl }),
    "",
    withdrawText,
    "",
    signoff,
  ].join("\n");
  const html = page(
    email.locale,
    subject,
    <>
      <p>{greeting}</p>
      <p>{t("email.alreadySigned.body", { title })}</p>
      <p style={{ overflowWrap: "anywhere" }}>
        <a href={email.appealUrl}>{t("email.alreadySigned.view", { url: email.appealUrl })}</a>
      </p>
      {withdrawHtml}
      <p>{signoff}</p>
    </>,
  );
  return { to: email.to, subject, text, html };
}

/** Emails to organizers: invitations, reset links, and the notice that a password changed. */
export function renderOrganizerEmail(email: OrganizerEmail, locale = defaultLocale): OutgoingEmail {
  const { t } = createTranslator(locale);
  const greeting = t("email.invitation.greeting", { name: email.name });
  const signoff = t("email.organizerSignoff");
  // dateStyle cannot be combined with timeZoneName, so the zone is named by hand.
  const until = (date: Date) => `${dateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(date)} UTC`;

  if (email.kind === "password-changed") {
    const subject = t("email.passwordChanged.subject");
    const lines = [t("email.passwordChanged.body"), t("email.passwordChanged.notYou", { forgotUrl: email.forgotUrl })];
    return {
      to: email.to,
      subject,
      text: [greeting, "", ...lines.flatMap((line) => [line, ""]), signoff].join("\n"),
      html: page(
        locale,
        subject,
        <>
          <p>{greeting}</p>
          {lines.map((line) => (
            <p key={line}>{line}</p>
          ))}
          <p>{signoff}</p>
        </>,
      ),
    };
  }

  const [subject, body, button, ignore] =
    email.kind === "invitation"
      ? [
          t("email.invitation.subject"),
          t("email.invitation.body", { invitedBy: email.invitedBy, expires: until(email.expiresAt) }),
          t("email.invitation.button"),
          t("email.invitation.ignore"),
        ]
      : [t("email.passwordReset.subject"), t("email.passwordReset.body", { expires: until(email.expiresAt) }), t("email.passwordReset.button"), t("email.passwordReset.ignore")];
  return {
    to: email.to,
    subject,
    text: [greeting, "", body, email.link, "", ignore, "", signoff].join("\n"),
    html: page(
      locale,
      subject,
      <>
        <p>{greeting}</p>
        <p>{body}</p>
        <p>
          <a href={email.link} style={buttonStyle}>
            {button}
          </a>
        </p>
        <p style={rawLinkStyle}>{email.link}</p>
        <p>{ignore}</p>
        <p>{signoff}</p>
      </>,
    ),
  };
}

export type SignerUpdateEmail = {
  to: string;
  locale: string;
  subject: string;
  /** Markdown as the organizer wrote it: the plain-text part as it is, the HTML part rendered. */
  body: string;
  appealTitle: string;
  appealUrl: string;
  publisherName: string;
  unsubscribeUrl: string;
  /** "Send a test to me": said in the subject, so nobody forwards it by mistake. */
  isTest?: boolean;
};

/**
 * An update to signers. Plain text and HTML, and a one-click unsubscribe (RFC 8058): mail
 * programs show their own "Unsubscribe" from List-Unsubscribe and POST to it.
 */
export function renderSignerUpdateEmail(email: SignerUpdateEmail): OutgoingEmail {
  const { t } = createTranslator(email.locale);
  const subject = email.isTest ? t("email.update.testSubject", { subject: email.subject }) : email.subject;
  const about = t("email.update.about", { title: email.appealTitle });
  const why = t("email.update.why");
  const signoff = t("email.signoff", { publisher: email.publisherName });
  const text = [about, "", email.body, "", signoff, "", "—", why, t("email.update.unsubscribeText", { url: email.unsubscribeUrl }), email.appealUrl].join("\n");
  const html = page(
    email.locale,
    subject,
    <>
      <p style={{ fontSize: "13px", color: "#555" }}>
        <a href={email.appealUrl}>{about}</a>
      </p>
      {/* markdown-it with raw HTML off: what the organizer typed cannot add markup of its own. */}
      <div dangerouslySetInnerHTML={{ __html: renderMarkdown(email.body) }} />
      <p>{signoff}</p>
      <p style={{ fontSize: "13px", color: "#555" }}>
        {why} <a href={email.unsubscribeUrl}>{t("email.update.unsubscribeLink")}</a>
        <br />
        {email.unsubscribeUrl}
      </p>
    </>,
  );
  return {
    to: email.to,
    subject,
    text,
    html,
    headers: { "List-Unsubscribe": `<${email.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

/** A link written out in full, for mail programs that hide the button: long, with nowhere to break, so it may break anywhere. */
const rawLinkStyle = { fontSize: "13px", color: "#555", wordBreak: "break-all", overflowWrap: "anywhere" } as const;

const buttonStyle = {
  display: "inline-block",
  padding: "12px 20px",
  background: "#1d4ed8",
  color: "#ffffff",
  textDecoration: "none",
  borderRadius: "6px",
  fontWeight: 600,
} as const;

function page(locale: string, subject: string, body: React.ReactNode): string {
  return (
    "<!DOCTYPE html>" +
    renderToStaticMarkup(
      <html lang={locale}>
        <head>
          <meta charSet="utf-8" />
          <title>{subject}</title>
        </head>
        <body style={{ fontFamily: "system-ui, sans-serif", lineHeight: 1.5, color: "#111", maxWidth: "560px" }}>
          {body}
        </body>
      </html>,
    )
  );
}
