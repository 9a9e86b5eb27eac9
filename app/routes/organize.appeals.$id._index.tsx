import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { AppealSharingTools } from "~/components/sharing-tools";
import { getAppealOverview } from "~/domain/appeal-editing";
import { changeAppealStatus, type LifecycleAction } from "~/domain/appeal-lifecycle";
import { readFormFields } from "~/http";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";
import type { loader as appealLayoutLoader } from "./organize.appeals.$id";

const lifecycleActions = ["publish", "close", "reopen", "archive"] as const satisfies readonly LifecycleAction[];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const overview = await getAppealOverview(context.db, params.id ?? "");
  if (!overview) throw data(null, { status: 404 });
  return { overview, networkAddressRetentionDays: context.site.networkAddressRetentionDays };
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const form = await readFormFields(request);
  const requested = form?.get("action");
  const action = lifecycleActions.find((candidate) => candidate === requested);
  if (!action) throw data(null, { status: 400 });
  const outcome = await changeAppealStatus(context.db, organizer, params.id ?? "", action);
  if (!outcome.ok) return data({ action, problem: outcome.problem }, { status: outcome.problem === "notFound" ? 404 : 409 });
  context.log.info({ appealId: params.id, action }, "appeal status changed");
  return { action, problem: null };
}

export default function AppealOverviewPage() {
  const { overview, networkAddressRetentionDays } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, date, dateTime, number } = useT();
  const navigation = useNavigation();
  const explanation = {
    DRAFT: t("overview.draftExplained"),
    PUBLISHED: t("overview.publishedExplained"),
    CLOSED: t("overview.closedExplained", { date: overview.closedAt ? date(new Date(overview.closedAt)) : "" }),
    ARCHIVED: t("overview.archivedExplained"),
  }[overview.status];
  const publicPath = `/appeals/${encodeURIComponent(overview.slug)}`;
  const title = useRouteLoaderData<typeof appealLayoutLoader>("routes/organize.appeals.$id")?.appeal.title ?? overview.slug;

  return (
    <div className="overview">
      {result ? (
        <p className={result.problem ? "error-summary" : "notice"} role={result.problem ? "alert" : "status"}>
          {result.problem ? t(`overview.problem.${result.problem}`) : t(`overview.done.${result.action}`)}
        </p>
      ) : null}
      <section aria-labelledby="status-heading" className="card">
        <h2 id="status-heading">{t("overview.statusHeading")}</h2>
        <p>{explanation}</p>
        {overview.status === "PUBLISHED" && overview.closesAt ? <p>{t("overview.deadline", { date: dateTime(new Date(overview.closesAt)) })}</p> : null}
        {overview.actions.length > 0 ? (
          <Form method="post" className="button-row">
            {overview.actions.map((action) => (
              <button key={action} type="submit" name="action" value={action} className={action === "close" ? "button danger" : action === "archive" ? "button secondary" : "button"} disabled={navigation.state !== "idle"}>
                {t(`overview.${action}`)}
              </button>
            ))}
          </Form>
        ) : null}
      </section>
      <section aria-labelledby="counts-heading" className="card section">
        <h2 id="counts-heading">{t("overview.countsHeading")}</h2>
        <dl className="figures">
          <div>
            <dt>{t("overview.confirmed")}</dt>
            <dd>{number(overview.counts.confirmed)}</dd>
          </div>
          <div>
            <dt>{t("overview.pending")}</dt>
            <dd>{number(overview.counts.pending)}</dd>
          </div>
          <div>
            <dt>{t("overview.listed")}</dt>
            <dd>{number(overview.counts.listed)}</dd>
          </div>
          <div>
            <dt>{t("overview.held")}</dt>
            <dd>{overview.counts.held > 0 ? <Link to="protection">{number(overview.counts.held)}</Link> : number(0)}</dd>
          </div>
          {overview.counts.emailRefused > 0 ? (
            <div>
              <dt>{t("overview.emailRefused")}</dt>
              <dd>{number(overview.counts.emailRefused)}</dd>
            </div>
          ) : null}
        </dl>
      </section>
      <section aria-labelledby="personal-data-heading" className="card section">
        <h2 id="personal-data-heading">{t("overview.personalDataHeading")}</h2>
        <p data-testid="erasure-date">
          {overview.erasure.state === "erased"
            ? t("overview.erasureDone", { date: date(new Date(overview.erasure.erasedAt)) })
            : overview.erasure.state === "scheduled"
              ? t("overview.erasureScheduled", { date: date(new Date(overview.erasure.dueAt)), months: overview.erasure.months })
              : t("overview.erasureAfterClosing", { months: overview.erasure.months })}
        </p>
        <p>{t("overview.erasureWhat", { days: networkAddressRetentionDays })}</p>
        {overview.erasure.state !== "erased" ? (
          <p>
            <Link to="details">{t("overview.erasureChange")}</Link>
          </p>
        ) : null}
      </section>
      <section aria-labelledby="links-heading" className="card section">
        <h2 id="links-heading">{t("overview.links")}</h2>
        <ul className="link-list">
          {overview.status !== "DRAFT" ? (
            <li>
              <a href={publicPath}>{t("overview.publicPage")}</a> <code>{publicPath}</code>
            </li>
          ) : null}
          <li>
            <Link to="preview">{t("overview.preview")}</Link>
          </li>
        </ul>
      </section>
      <AppealSharingTools slug={overview.slug} title={title} isPublic={overview.status !== "DRAFT"} />
    </div>
  );
}
