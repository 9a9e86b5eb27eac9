import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { countUpdateRecipients, createUpdate, listUpdates } from "~/domain/updates";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "updates.title" }) }];

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const [updates, eligible] = await Promise.all([listUpdates(context.db, appealId, context.locale), countUpdateRecipients(context.db, appealId)]);
  // Where deleting a draft leads: the list says it is gone.
  const draftDeleted = new URL(request.url).searchParams.has("deleted");
  return { updates, eligible, draftDeleted };
}

export async function action({ params, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const updateId = await createUpdate(context.db, params.id ?? "", organizer);
  if (!updateId) throw data(null, { status: 404 });
  return redirect(`/organize/appeals/${params.id}/updates/${updateId}`, 303);
}

export default function UpdatesPage() {
  const { updates, eligible, draftDeleted } = useLoaderData<typeof loader>();
  const { t } = useT();
  const navigation = useNavigation();
  return (
    <>
      {draftDeleted ? (
        <p className="notice" role="status">
          {t("updates.deleted")}
        </p>
      ) : null}
      <h2>{t("updates.title")}</h2>
      <p>{t("updates.intro")}</p>
      <p>{t("updates.eligible", { count: eligible })}</p>
      <Form method="post">
        <button type="submit" className="button" disabled={navigation.state !== "idle"}>
          {t("updates.new")}
        </button>
      </Form>
      <section aria-labelledby="updates-list-heading" className="section">
        <h3 id="updates-list-heading">{t("updates.listHeading")}</h3>
        {updates.length === 0 ? (
          <p>{t("updates.none")}</p>
        ) : (
          <div>
            <table className="data-table updates-table">
              <thead>
                <tr>
                  <th scope="col">{t("updates.colSubject")}</th>
                  <th scope="col">{t("updates.colStatus")}</th>
                  <th scope="col">{t("updates.colProgress")}</th>
                </tr>
              </thead>
              <tbody>
                {updates.map((update) => (
                  <tr key={update.id}>
                    <td>
                      <Link to={update.id}>{update.subject || t("updates.untitled")}</Link>
                    </td>
                    <td>{update.stalled ? t("updates.stalledStatus") : t(`updates.status.${update.status}`)}</td>
                    <td>
                      {update.status === "DRAFT"
                        ? "—"
                        : t("updates.progress", { sent: update.progress.sent, recipients: update.progress.recipients, failed: update.progress.failed })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
