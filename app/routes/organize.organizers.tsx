import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, SelectField, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { inviteOrganizer, listOrganizers, removeOrganizer } from "~/domain/organizer-accounts.server";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "organizers.title" }) }];

export async function loader({ context }: LoaderFunctionArgs) {
  const owner = requireOrganizer(context, "manageOrganizers");
  return { organizers: await listOrganizers(context.db), currentId: owner.id };
}

type ActionResult =
  | { intent: "invite"; fieldErrors: FieldErrors; fields: Record<string, string>; invited: string | null }
  | { intent: "remove"; outcome: "removed" | "notFound" | "self" | "lastOwner"; name: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = requireOrganizer(context, "manageOrganizers");
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  if (form.get("intent") === "remove") {
    const organizerId = form.get("organizerId") ?? "";
    const name = (await listOrganizers(context.db)).find((organizer) => organizer.id === organizerId)?.name ?? "";
    const outcome = /^[0-9a-f-]{36}$/i.test(organizerId) ? await removeOrganizer(context.db, owner, organizerId) : "notFound";
    return data<ActionResult>({ intent: "remove", outcome, name }, { status: outcome === "removed" ? 200 : outcome === "notFound" ? 404 : 409 });
  }
  const fields = { name: form.get("name") ?? "", email: form.get("email") ?? "", role: form.get("role") ?? "" };
  const invited = await inviteOrganizer(context.db, owner, fields);
  if (!invited.ok) return data<ActionResult>({ intent: "invite", fieldErrors: invited.fieldErrors, fields, invited: null }, { status: 400 });
  return data<ActionResult>({ intent: "invite", fieldErrors: {}, fields: {}, invited: fields.email.trim() });
}

export default function OrganizersPage() {
  const { organizers, currentId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useT();
  const navigation = useNavigation();
  const invite = result?.intent === "invite" ? result : null;
  const removal = result?.intent === "remove" ? result : null;
  const message = useFieldErrorMessages(invite?.fieldErrors);
  const removalMessage = removal
    ? { removed: t("organizers.removed", { name: removal.name }), self: t("organizers.cannotRemoveSelf"), lastOwner: t("organizers.cannotRemoveLastOwner"), notFound: t("errorPage.notFoundBody") }[removal.outcome]
    : null;

  return (
    <div className="page">
      <h1>{t("organizers.title")}</h1>
      <p className="lead">{t("organizers.intro")}</p>
      {removalMessage ? (
        <p className={removal?.outcome === "removed" ? "notice" : "error-summary"} role={removal?.outcome === "removed" ? "status" : "alert"}>
          {removalMessage}
        </p>
      ) : null}
      {invite?.invited ? (
        <p className="notice" role="status">
          {t("organizers.invitedNotice", { email: invite.invited })}
        </p>
      ) : null}
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t("organizers.columnName")}</th>
            <th scope="col">{t("organizers.columnEmail")}</th>
            <th scope="col">{t("organizers.columnRole")}</th>
            <th scope="col">{t("organizers.columnState")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("organizers.remove")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {organizers.map((organizer) => (
            <tr key={organizer.id}>
              <td className="breaks-anywhere">
                {organizer.name} {organizer.id === currentId ? <span className="role-badge">{t("organizers.you")}</span> : null}
              </td>
              <td className="breaks-anywhere" data-label={t("organizers.columnEmail")}>{organizer.email}</td>
              <td data-label={t("organizers.columnRole")}>{t(organizer.role === "OWNER" ? "organize.roleOwner" : "organize.roleEditor")}</td>
              <td data-label={t("organizers.columnState")}>{organizer.hasPassword ? t("organizers.active") : t("organizers.invited")}</td>
              <td>
                {organizer.id === currentId ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="organizerId" value={organizer.id} />
                    <button type="submit" className="link-button danger-link" aria-label={t("organizers.removeLabel", { name: organizer.name })}>
                      {t("organizers.remove")}
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section aria-labelledby="invite-heading" className="card section">
        <h2 id="invite-heading">{t("organizers.inviteHeading")}</h2>
        <p>{t("organizers.inviteIntro")}</p>
        <ErrorSummary fieldErrors={invite?.fieldErrors} order={["name", "email", "role"]} />
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="invite" />
          <TextField name="name" label={t("organizers.name")} autoComplete="off" defaultValue={invite?.fields.name} error={message("name")} />
          <TextField name="email" type="email" label={t("organizers.email")} autoComplete="off" spellCheck={false} defaultValue={invite?.fields.email} error={message("email")} />
          <SelectField
            name="role"
            label={t("organizers.role")}
            defaultValue={invite?.fields.role || "EDITOR"}
            error={message("role")}
            options={[
              { value: "EDITOR", label: t("organizers.roleEditor") },
              { value: "OWNER", label: t("organizers.roleOwner") },
            ]}
          />
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("organizers.inviteSubmit")}
          </button>
        </Form>
      </section>
    </div>
  );
}
