import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { textLocalePattern } from "~/domain/appeal-editing";
import { requireOrganizer } from "~/infra/organizer-guard.server";

/** The "add a translation" form's target: goes to the editor of the chosen language. */
export function loader({ params, request, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const locale = new URL(request.url).searchParams.get("locale") ?? "";
  const base = `/organize/appeals/${params.id ?? ""}/texts`;
  return redirect(textLocalePattern.test(locale) ? `${base}/${encodeURIComponent(locale)}` : base, 303);
}
