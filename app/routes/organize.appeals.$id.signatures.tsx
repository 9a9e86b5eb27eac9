import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { ErrorSummary, SelectField, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { getSignatureCounts } from "~/domain/counts";
import {
  applyBulkInvalidation,
  listBulkInvalidations,
  listSignaturesForModeration,
  moderateSignature,
  previewBulkInvalidation,
  readBulkCriteria,
  readSignatureFilters,
  undoBulkInvalidation,
  type BulkCriteria,
  type ModeratedSignature,
  type ModerationChange,
} from "~/domain/moderation.server";
import { moderationStates, signatureFilterNames, signatureSources } from "~/domain/moderation-states";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "moderation.title" }) }];

const pageSize = 50;

/**
 * An appeal's signatures for moderation: a GET form of filters, a keyset-paginated table whose
 * rows each have POST buttons, and bulk invalidation (count first, then apply, then undo). The
 * rules live in domain/moderation.server.ts; this only reads forms and renders.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const query = new URL(request.url).searchParams;
  const { filters, fieldErrors, fields } = readSignatureFilters(query);
  const invalid = Object.keys(fieldErrors).length > 0;
  const [page, counts, bulkActions] = await Promise.all([
    invalid ? { signatures: [], nextCursor: null } : listSignaturesForModeration(context.db, appealId, filters, { cursor: query.get("after"), limit: pageSize }),
    getSignatureCounts(context.db, appealId),
    listBulkInvalidations(context.db, appealId),
  ]);
  return data({ page, counts, bulkActions, fields, fieldErrors, isFirstPage: !query.get("after") }, { status: invalid ? 400 : 200 });
}

const bulkFieldNames = { domain: "bulkDomain", network: "bulkNetwork", from: "bulkFrom", to: "bulkTo" } as const;

type Result =
  | { intent: ModerationChange; changed: boolean }
  | { intent: "preview"; fields: Record<string, string>; fieldErrors: FieldErrors; preview: { confirmed: number; pending: number; asOf: string } | null }
  | { intent: "apply"; invalidated: number | null }
  | { intent: "undo"; restored: number | null };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const intent = form.get("intent") ?? "";
  const respond = (result: Result, status = 200) => data(result, { status });

  if (intent === "hide" || intent === "show" || intent === "invalidate" || intent === "restore") {
    const changed = await moderateSignature(context.db, organizer, appealId, form.get("signature") ?? "", intent);
    return respond({ intent, changed }, changed ? 200 : 409);
  }
  if (intent === "undo") {
    const restored = await undoBulkInvalidation(context.db, organizer, appealId, form.get("action") ?? "");
    return respond({ intent, restored }, restored === null ? 409 : 200);
  }
  if (intent === "preview" || intent === "apply") {
    const fields = Object.fromEntries(Object.values(bulkFieldNames).map((name) => [name, form.get(name) ?? ""]));
    const read = readBulkCriteria(Object.fromEntries(Object.entries(bulkFieldNames).map(([key, name]) => [key, fields[name] ?? ""])));
    if (!read.ok) {
      const fieldErrors = Object.fromEntries(Object.entries(read.fieldErrors).map(([key, error]) => [bulkFieldNames[key as keyof typeof bulkFieldNames] ?? key, error]));
      return respond({ intent: "preview", fields, fieldErrors, preview: null }, 400);
    }
    if (intent === "preview") {
      const preview = await previewBulkInvalidation(context.db, appealId, read.criteria);
      return respond({ intent, fields, fieldErrors: {}, preview: { confirmed: preview.confirmed, pending: preview.pending, asOf: preview.asOf.toISOString() } });
    }
    const asOf = new Date(form.get("asOf") ?? "");
    if (Number.isNaN(asOf.getTime())) throw data(null, { status: 400 });
    const applied = await applyBulkInvalidation(context.db, organizer, appealId, read.criteria, asOf);
    return respond({ intent, invalidated: applied?.invalidated ?? null }, applied ? 200 : 409);
  }
  throw data(null, { status: 400 });
}

const filterOrder: string[] = [...signatureFilterNames];
const bulkOrder = Object.values(bulkFieldNames) as string[];

export default function SignaturesPage() {
  const { page, counts, bulkActions, fields, fieldErrors, isFirstPage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useT();
  const location = useLocation();
  const filterError = useFieldErrorMessages(fieldErrors);
  // Every POST goes back to this very page, filters and position kept.
  const here = `${location.pathname}${location.search}`;
  const base = location.pathname;
  const filterQuery = new URLSearchParams(Object.entries(fields).filter(([, value]) => value !== ""));
  const older = page.nextCursor ? `${base}?${new URLSearchParams([...filterQuery, ["after", page.nextCursor]])}` : null;
  const newest = `${base}${filterQuery.size > 0 ? `?${filterQuery}` : ""}`;

  return (
    <section aria-labelledby="moderation-title" className="moderation-page">
      <h2 id="moderation-title">{t("moderation.title")}</h2>
      <p className="lead">{t("moderation.intro")}</p>
      <p className="hint">{t("moderation.privacy")}</p>
      <p className="moderation-counts" data-testid="moderation-counts">
        {t("moderation.counts", { confirmed: counts.confirmed, listed: counts.listed })}
      </p>
      <ActionNotice result={result} />

      <h3>{t("moderation.filtersHeading")}</h3>
      <ErrorSummary fieldErrors={fieldErrors} order={filterOrder} />
      <form method="get" action={base} className="form moderation-filters" aria-label={t("moderation.filtersHeading")}>
        {/* Rows of fields whose hints are alike, so that they line up: what and where, when, from where. */}
        <div className="filter-grid">
          <TextField name="q" type="search" label={t("moderation.text")} defaultValue={fields.q} error={filterError("q")} />
          <SelectField
            name="state"
            label={t("moderation.state")}
            defaultValue={fields.state}
            error={filterError("state")}
            options={[{ value: "", label: t("moderation.stateAny") }, ...moderationStates.map((state) => ({ value: state, label: t(`moderation.state.${state}`) }))]}
          />
          <SelectField
            name="source"
            label={t("moderation.source")}
            defaultValue={fields.source}
            error={filterError("source")}
            options={[{ value: "", label: t("moderation.sourceAny") }, ...signatureSources.map((source) => ({ value: source, label: t(`moderation.source.${source}`) }))]}
          />
        </div>
        <div className="filter-grid">
          <TextField name="from" type="date" label={t("moderation.from")} hint={t("moderation.daysHint")} defaultValue={fields.from} error={filterError("from")} />
          <TextField name="to" type="date" label={t("moderation.to")} hint={t("moderation.daysHint")} defaultValue={fields.to} error={filterError("to")} />
        </div>
        <div className="filter-grid">
          <TextField name="domain" label={t("moderation.domain")} hint={t("moderation.domainHint")} defaultValue={fields.domain} error={filterError("domain")} />
          <TextField name="network" label={t("moderation.network")} hint={t("moderation.networkHint")} defaultValue={fields.network} error={filterError("network")} />
        </div>
        <div className="button-row">
          <button type="submit" className="button">
            {t("moderation.filter")}
          </button>
          <Link to={base}>{t("moderation.clear")}</Link>
        </div>
      </form>

      {page.signatures.length === 0 ? (
        <p>{t("moderation.none")}</p>
      ) : (
        <table className="data-table moderation-table">
          <caption className="visually-hidden">{t("moderation.tableCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("moderation.columnSigner")}</th>
              <th scope="col">{t("moderation.columnState")}</th>
              <th scope="col">{t("moderation.columnSigned")}</th>
              <th scope="col">{t("moderation.columnOrigin")}</th>
              <th scope="col">{t("moderation.columnActions")}</th>
            </tr>
          </thead>
          <tbody>
            {page.signatures.map((signature) => (
              <SignatureRow key={signature.id} signature={{ ...signature, createdAt: new Date(signature.createdAt) }} action={here} />
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t("moderation.pagerLabel")}>
        {isFirstPage ? <span /> : <Link to={newest}>{t("moderation.newer")}</Link>}
        {older ? <Link to={older}>{t("moderation.older")}</Link> : null}
      </nav>

      <BulkInvalidation result={result} action={here} />

      {bulkActions.length > 0 ? (
        <section aria-labelledby="bulk-actions-heading" className="section">
          <h3 id="bulk-actions-heading">{t("moderation.actionsHeading")}</h3>
          <ul className="bulk-actions">
            {bulkActions.map((bulk) => (
              <BulkActionItem key={bulk.id} bulk={{ ...bulk, createdAt: new Date(bulk.createdAt), undoneAt: bulk.undoneAt ? new Date(bulk.undoneAt) : null }} action={here} />
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}

function ActionNotice({ result }: { result: Result | undefined }) {
  const { t } = useT();
  if (!result || result.intent === "preview") return null;
  let text: string;
  let ok = true;
  if (result.intent === "apply") {
    ok = result.invalidated !== null;
    text = ok ? t("moderation.bulkApplied", { count: result.invalidated ?? 0 }) : t("moderation.bulkNothing");
  } else if (result.intent === "undo") {
    ok = result.restored !== null;
    text = ok ? t("moderation.undone", { count: result.restored ?? 0 }) : t("moderation.undoUnknown");
  } else {
    ok = result.changed;
    text = ok ? t(`moderation.done.${result.intent}`) : t("moderation.unchanged");
  }
  return (
    <p className={ok ? "notice" : "error-summary"} role={ok ? "status" : "alert"}>
      {text}
    </p>
  );
}

function stateLabels(signature: ModeratedSignature, t: ReturnType<typeof useT>["t"]): string[] {
  const labels = [t(`moderation.state.${signature.status.toLowerCase() as "pending"}`)];
  if (signature.hidden) labels.push(t("moderation.state.hidden"));
  if (signature.status === "HELD" && signature.heldReason) labels.push(t(`protection.reason.${signature.heldReason}` as "protection.reason.blocked"));
  if (signature.status === "INVALIDATED" && signature.invalidatedByActionId) labels.push(t("moderation.inBulk"));
  return labels;
}

function SignatureRow({ signature, action }: { signature: ModeratedSignature; action: string }) {
  const { t, dateTime } = useT();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const name = signature.fullName || signature.email || signature.id;
  const canHide = !signature.hidden && ["PENDING", "CONFIRMED", "INVALIDATED"].includes(signature.status);
  const changes: ModerationChange[] = [
    ...(signature.hidden ? (["show"] as const) : canHide ? (["hide"] as const) : []),
    ...(signature.status === "PENDING" || signature.status === "CONFIRMED" ? (["invalidate"] as const) : signature.status === "INVALIDATED" ? (["restore"] as const) : []),
  ];
  return (
    <tr data-signature={signature.id}>
      <td>
        <strong className="signer-name">{signature.fullName}</strong>
        <br />
        <span className="signer-email">{signature.email}</span>
        {!signature.showPublicly && signature.status !== "WITHDRAWN" ? <span className="hint"> · {t("moderation.unlisted")}</span> : null}
      </td>
      <td className="state">{stateLabels(signature, t).join(" · ")}</td>
      <td>{dateTime(signature.createdAt)}</td>
      <td className="origin">
        {signature.paperFileName !== null ? <span className="paper-origin">{t("moderation.onPaper", { file: signature.paperFileName })}</span> : null}
        {signature.networkAddress ? <code>{signature.networkAddress}</code> : null}
        {signature.userAgent ? <span className="user-agent">{signature.userAgent}</span> : null}
      </td>
      <td>
        <div className="row-buttons">
          {changes.map((change) => (
            <Form method="post" action={action} key={change}>
              <input type="hidden" name="signature" value={signature.id} />
              <button
                type="submit"
                name="intent"
                value={change}
                className={`button small ${change === "invalidate" ? "danger" : "secondary"}`}
                aria-label={t(`moderation.${change}Label`, { name })}
                disabled={busy}
              >
                {t(`moderation.${change}`)}
              </button>
            </Form>
          ))}
        </div>
      </td>
    </tr>
  );
}

function BulkInvalidation({ result, action }: { result: Result | undefined; action: string }) {
  const { t } = useT();
  const navigation = useNavigation();
  const previewed = result?.intent === "preview" ? result : null;
  const message = useFieldErrorMessages(previewed?.fieldErrors);
  const fields = previewed?.fields ?? {};
  const preview = previewed?.preview ?? null;
  const total = preview ? preview.confirmed + preview.pending : 0;
  return (
    <section aria-labelledby="bulk-heading" className="card section">
      <h3 id="bulk-heading">{t("moderation.bulkHeading")}</h3>
      <p>{t("moderation.bulkIntro")}</p>
      <ErrorSummary fieldErrors={previewed?.fieldErrors} order={bulkOrder} />
      <Form method="post" action={action} className="form" noValidate>
        <div className="filter-grid">
          <TextField name={bulkFieldNames.domain} label={t("moderation.domain")} hint={t("moderation.domainHint")} optional defaultValue={fields[bulkFieldNames.domain]} error={message(bulkFieldNames.domain)} />
          <TextField name={bulkFieldNames.network} label={t("moderation.network")} hint={t("moderation.networkHint")} optional defaultValue={fields[bulkFieldNames.network]} error={message(bulkFieldNames.network)} />
        </div>
        <div className="filter-grid">
          <TextField name={bulkFieldNames.from} type="datetime-local" label={t("moderation.bulkFrom")} hint={t("moderation.bulkTimeHint")} optional defaultValue={fields[bulkFieldNames.from]} error={message(bulkFieldNames.from)} />
          <TextField name={bulkFieldNames.to} type="datetime-local" label={t("moderation.bulkTo")} hint={t("moderation.bulkTimeHint")} optional defaultValue={fields[bulkFieldNames.to]} error={message(bulkFieldNames.to)} />
        </div>
        <div className="button-row">
          <button type="submit" name="intent" value="preview" className="button secondary" disabled={navigation.state !== "idle"}>
            {t("moderation.bulkPreview")}
          </button>
        </div>
      </Form>
      {preview ? (
        <div className="bulk-preview">
          <p role="status" data-testid="bulk-matches">
            {t("moderation.bulkMatches", { total, confirmed: preview.confirmed, pending: preview.pending })}
          </p>
          {total > 0 ? (
            <Form method="post" action={action}>
              {Object.values(bulkFieldNames).map((name) => (
                <input key={name} type="hidden" name={name} value={fields[name] ?? ""} />
              ))}
              <input type="hidden" name="asOf" value={preview.asOf} />
              <button type="submit" name="intent" value="apply" className="button danger" disabled={navigation.state !== "idle"}>
                {t("moderation.bulkApply", { total })}
              </button>
            </Form>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

type BulkView = { id: string; criteria: BulkCriteria; invalidated: number; actorName: string; createdAt: Date; undoneAt: Date | null; undoneBy: string | null; restored: number | null };

function BulkActionItem({ bulk, action }: { bulk: BulkView; action: string }) {
  const { t, dateTime } = useT();
  const navigation = useNavigation();
  const criteria = (Object.entries(bulk.criteria) as [keyof BulkCriteria, string | null][])
    .filter(([, value]) => value)
    .map(([key, value]) => t(`moderation.bulkCriteria.${key}`, { value: value ?? "" }))
    .join(", ");
  const when = dateTime(bulk.createdAt);
  return (
    <li>
      <p>{t("moderation.actionSummary", { when, who: bulk.actorName, count: bulk.invalidated, criteria })}</p>
      {bulk.undoneAt ? (
        <p className="hint">{t("moderation.actionUndone", { when: dateTime(bulk.undoneAt), who: bulk.undoneBy ?? "", count: bulk.restored ?? 0 })}</p>
      ) : (
        <Form method="post" action={action}>
          <input type="hidden" name="action" value={bulk.id} />
          <button type="submit" name="intent" value="undo" className="button small secondary" aria-label={t("moderation.undoLabel", { when })} disabled={navigation.state !== "idle"}>
            {t("moderation.undo")}
          </button>
        </Form>
      )}
    </li>
  );
}
