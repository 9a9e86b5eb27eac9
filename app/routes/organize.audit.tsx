import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { auditActions, listAuditEvents, systemActors, type AuditAction, type AuditSubject } from "~/domain/audit";
import type { MessageId } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "audit.title" }) }];

const pageSize = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "readAuditLog");
  const before = new URL(request.url).searchParams.get("before");
  return { page: await listAuditEvents(context.db, { limit: pageSize, before }), isFirstPage: !before };
}

type Translate = ReturnType<typeof useT>["t"];

const knownActions = new Set<string>(auditActions);
const knownSystemActors = new Set<string>(systemActors);

/** The details the log has words for (messages "audit.detail.<key>"); any other shows under its stored key. */
const labelledDetails = [
  "account", "count", "kind", "reason", "retryAfterSeconds", "role", "recipients", "to", "waiting", "emailDomain", "network", "from", "signatures",
  "retentionMonths", "fileName", "rows", "imported", "rejected", "removed", "format", "scope", "bom", "completed", "failed",
] as const;
const knownDetails = new Set<string>(labelledDetails);

/** Stored values that are words of ours rather than the organizer's (a role, a kind of block, an export's scope): shown in the reader's language. */
const detailValues: Record<string, Record<string, MessageId>> = {
  role: { OWNER: "organize.roleOwner", EDITOR: "organize.roleEditor" },
  kind: { EMAIL: "blockList.kind.EMAIL", EMAIL_DOMAIN: "blockList.kind.EMAIL_DOMAIN", NETWORK: "blockList.kind.NETWORK" },
  scope: { listed: "export.scopeListed", all: "export.scopeAll" },
  reason: { deadline: "audit.reason.deadline" },
  account: { none: "audit.accountNone" },
};

function describeValue(t: Translate, key: string, value: unknown): string {
  if (typeof value === "boolean") return t(value ? "audit.yes" : "audit.no");
  const words = Object.hasOwn(detailValues, key) ? detailValues[key]! : null;
  return typeof value === "string" && words && Object.hasOwn(words, value) ? t(words[value]!) : String(value);
}

function describeAction(t: Translate, action: string): string {
  return knownActions.has(action) ? t(`audit.action.${action as AuditAction}`) : action;
}

function describeActor(t: Translate, actorName: string): string {
  return knownSystemActors.has(actorName) ? t(`audit.actor.${actorName as (typeof systemActors)[number]}`) : actorName;
}

function describeSubject(t: Translate, subject: NonNullable<AuditSubject>): string {
  if (subject.kind === "text") return subject.text;
  return subject.fullName === null ? t("audit.subject.signatureGone") : subject.fullName;
}

function describeDetails(t: Translate, action: string, details: Record<string, unknown>): string {
  return (
    Object.entries(details)
      // The ids of updates and imports mean nothing to a reader (the subject already names what was
      // acted on), nor does a byte-order mark for a JSON file.
      .filter(([key, value]) => value !== null && value !== undefined && value !== "" && key !== "updateId" && key !== "importId" && !(key === "bom" && details.format !== "csv"))
      .map(([key, value]) => {
        // A test update's "to" is its recipient; an export's is the last day it covers.
        const label = action === "update.test-sent" && key === "to" ? t("audit.detail.recipient") : knownDetails.has(key) ? t(`audit.detail.${key as (typeof labelledDetails)[number]}`) : key;
        return `${label}: ${describeValue(t, key, value)}`;
      })
      .join(", ")
  );
}

export default function AuditLogPage() {
  const { page, isFirstPage } = useLoaderData<typeof loader>();
  const { t, dateTime } = useT();
  return (
    <div className="page">
      <h1>{t("audit.title")}</h1>
      <p className="lead">{t("audit.intro")}</p>
      {page.events.length === 0 ? (
        <p>{t("audit.empty")}</p>
      ) : (
        <table className="data-table audit-table">
          <thead>
            <tr>
              <th scope="col">{t("audit.columnWhen")}</th>
              <th scope="col">{t("audit.columnWho")}</th>
              <th scope="col">{t("audit.columnWhat")}</th>
              <th scope="col">{t("audit.columnDetails")}</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr key={event.id}>
                <td>
                  <time dateTime={new Date(event.at).toISOString()}>{dateTime(new Date(event.at))}</time>
                </td>
                <td data-label={t("audit.columnWho")}>{describeActor(t, event.actorName)}</td>
                <td>
                  <span data-action={event.action}>{describeAction(t, event.action)}</span>
                  {event.subject ? <> · {describeSubject(t, event.subject)}</> : null}
                </td>
                <td data-label={t("audit.columnDetails")}>{describeDetails(t, event.action, event.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t("audit.title")}>
        {isFirstPage ? <span /> : <Link to="/organize/audit">{t("audit.newest")}</Link>}
        {page.nextCursor ? <Link to={`/organize/audit?before=${page.nextCursor}`}>{t("audit.older")}</Link> : null}
      </nav>
    </div>
  );
}
