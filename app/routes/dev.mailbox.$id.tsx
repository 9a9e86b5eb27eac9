import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

export async function loader({ params, context }: LoaderFunctionArgs) {
  if (!context.devMailboxDirectory) throw data(null, { status: 404 });
  const { readMailboxMessage } = await import("~/local/mailbox.server");
  const message = await readMailboxMessage(context.devMailboxDirectory, params.id ?? "");
  if (!message) throw data(null, { status: 404 });
  const { id, from, to, subject, date, text, html, messageId } = message;
  return data({ id, from, to, subject, date, text, html: html ?? null, messageId }, { headers: { "Cache-Control": "no-store" } });
}

export const meta: MetaFunction = ({ matches }) => [
  { title: pageTitle(matches, { id: "mailbox.title" }) },
  { name: "robots", content: "noindex" },
];

/**
 * Shows the message as a mail program would (its HTML part, in a sandboxed frame that runs no
 * script), then the plain-text part with its links clickable, so the journey can be followed
 * by hand.
 */
export default function DevMailboxMessage() {
  const message = useLoaderData<typeof loader>();
  const { t } = useT();
  const parts = message.text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <div className="page narrow">
      <p>
        <Link to="/dev/mailbox">{t("mailbox.back")}</Link>
      </p>
      <h1>{message.subject}</h1>
      <dl className="publisher">
        <dt>{t("mailbox.from")}</dt>
        <dd>{message.from}</dd>
        <dt>{t("mailbox.to")}</dt>
        <dd>{message.to}</dd>
        <dt>{t("mailbox.messageId")}</dt>
        <dd>{message.messageId}</dd>
      </dl>
      {message.html ? (
        <>
          <h2>{t("mailbox.htmlPart")}</h2>
          {/* No allow-scripts: nothing in a message runs; a click on a link may open its page. */}
          <iframe className="mail-html" title={t("mailbox.htmlPart")} sandbox="allow-top-navigation-by-user-activation" srcDoc={message.html} />
          <h2>{t("mailbox.textPart")}</h2>
        </>
      ) : null}
      <div className="mail-text">
        {parts.map((part, index) => (
          <Fragment key={index}>{index % 2 === 1 ? <a href={part}>{part}</a> : part}</Fragment>
        ))}
      </div>
    </div>
  );
}
