import type { LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { messagesOfArea } from "~/i18n/languages.server";
import { MoreTranslations } from "~/i18n/react";

/** The dev mailbox's frame: its own messages, which the public pages' script does not carry. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (!context.devMailboxDirectory) throw data(null, { status: 404 });
  return data({ messages: messagesOfArea(context.locale, "devMailbox") }, { headers: { "Cache-Control": "no-store" } });
}

export default function DevMailboxFrame() {
  return (
    <MoreTranslations messages={useLoaderData<typeof loader>().messages}>
      <Outlet />
    </MoreTranslations>
  );
}
