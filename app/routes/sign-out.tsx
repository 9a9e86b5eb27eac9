import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { endSession } from "~/domain/organizer-sessions";
import { clearedSessionCookie, readSessionToken } from "~/infra/session-cookie.server";

/** Ends the session on the server, then forgets the cookie. Only by POST: a link cannot sign anyone out. */
export async function action({ request, context }: ActionFunctionArgs) {
  const settings = { secure: context.sessions.secureCookie };
  const token = readSessionToken(request.headers.get("cookie"), settings);
  if (token) await endSession(context.db, token);
  return redirect("/sign-in?signed-out", { status: 303, headers: { "Set-Cookie": clearedSessionCookie(settings) } });
}

export function loader() {
  return redirect("/sign-in", 303);
}
