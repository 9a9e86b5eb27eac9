import { renderToStaticMarkup } from "react-dom/server";
import type { SignatureEmail } from "~/domain/signature-emails";
import { createTranslator } from "~/i18n/i18n";
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
        <p style={{ fontSize: "13px", color: "#555" }}>{email.confirmUrl}</p>
        <p>{t("email.confirm.ignore")}</p>
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
    signoff,
  ].join("\n");
  const html = page(
    email.locale,
    subject,
    <>
      <p>{greeting}</p>
      <p>{t("email.alreadySigned.body", { title })}</p>
      <p>
        <a href={email.appealUrl}>{t("email.alreadySigned.view", { url: email.appealUrl })}</a>
      </p>
      <p>{signoff}</p>
    </>,
  );
  return { to: email.to, subject, text, html };
}

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
