import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";

/** Exists only in local development without SMTP_URL; everywhere else it is a 404. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (!context.devMailboxDirectory) throw data(null, { status: 404 });
  // Loaded only here: the dev mailbox is a local stand-in, absent from production.
  const { readMailbox } = await import("~/local/mailbox.server");
  const messages = await readMailbox(context.devMailboxDirectory);
  return data(
    { mails: messages.map(({ id, to, subject, date }) => ({ id, to, subject, date })) },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export const meta: MetaFunction = ({ matches }) => [
  { title: pageTitle(matches, { id: "mailbox.title" }) },
  { name: "robots", content: "noindex" },
];

export default function DevMailbox() {
  const { mails } = useLoaderData<typeof loader>();
  const { t, utc } = useT();
  return (
    <div className="page">
      <h1>{t("mailbox.title")}</h1>
      <p>{t("mailbox.intro")}</p>
      {mails.length === 0 ? (
        <p>{t("mailbox.empty")}</p>
      ) : (
        <table className="mailbox">
          <thead>
            <tr>
              <th scope="col">{t("mailbox.received")}</th>
              <th scope="col">{t("mailbox.to")}</th>
              <th scope="col">{t("mailbox.subject")}</th>
            </tr>
          </thead>
          <tbody>
            {mails.map((message) => (
              <tr key={message.id}>
                <td>{message.date ? `${utc(new Date(message.date), { dateStyle: "medium", timeStyle: "medium" })} UTC` : ""}</td>
                <td>{message.to}</td>
                <td>
                  <Link to={message.id}>{message.subject}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
