import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, SelectField, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { addBlockedSigner, listBlockedSigners, removeBlockedSigner } from "~/domain/block-list.server";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "blockList.title" }) }];

export async function loader({ context }: LoaderFunctionArgs) {
  requireOrganizer(context, "manageBlockList");
  return { entries: await listBlockedSigners(context.db) };
}

type Result = { fieldErrors: FieldErrors; fields: Record<string, string>; notice: "added" | "removed" | null };

export async function action({ request, context }: ActionFunctionArgs) {
  const owner = requireOrganizer(context, "manageBlockList");
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  if (form.get("intent") === "remove") {
    const removed = await removeBlockedSigner(context.db, owner, form.get("id") ?? "");
    return data<Result>({ fieldErrors: {}, fields: {}, notice: removed ? "removed" : null }, { status: removed ? 200 : 404 });
  }
  const fields = { kind: form.get("kind") ?? "", value: form.get("value") ?? "", note: form.get("note") ?? "" };
  const added = await addBlockedSigner(context.db, owner, fields);
  if (!added.ok) return data<Result>({ fieldErrors: added.fieldErrors, fields, notice: null }, { status: 400 });
  return data<Result>({ fieldErrors: {}, fields: {}, notice: "added" });
}

export default function BlockListPage() {
  const { entries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, date } = useT();
  const navigation = useNavigation();
  const message = useFieldErrorMessages(result?.fieldErrors);
  const kinds = ["EMAIL_DOMAIN", "EMAIL", "NETWORK"] as const;
  return (
    <div className="page">
      <h1>{t("blockList.title")}</h1>
      <p className="lead">{t("blockList.intro")}</p>
      {result?.notice ? (
        <p className="notice" role="status">
          {t(result.notice === "added" ? "blockList.added" : "blockList.removed")}
        </p>
      ) : null}
      {entries.length === 0 ? (
        <p>{t("blockList.empty")}</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t("blockList.columnKind")}</th>
              <th scope="col">{t("blockList.columnValue")}</th>
              <th scope="col">{t("blockList.columnNote")}</th>
              <th scope="col">{t("blockList.columnAdded")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("blockList.remove")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{t(`blockList.kind.${entry.kind}`)}</td>
                <td className="breaks-anywhere">
                  <code>{entry.value}</code>
                </td>
                <td className="breaks-anywhere" data-label={t("blockList.columnNote")}>
                  {entry.note}
                </td>
                <td data-label={t("blockList.columnAdded")}>{date(new Date(entry.createdAt))}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="id" value={entry.id} />
                    <button type="submit" className="link-button danger-link" aria-label={t("blockList.removeLabel", { value: entry.value })}>
                      {t("blockList.remove")}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="block-heading" className="card section">
        <h2 id="block-heading">{t("blockList.addHeading")}</h2>
        <ErrorSummary fieldErrors={result?.fieldErrors} order={["kind", "value", "note"]} />
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="add" />
          <SelectField name="kind" label={t("blockList.kind")} defaultValue={result?.fields.kind || "EMAIL_DOMAIN"} error={message("kind")} options={kinds.map((kind) => ({ value: kind, label: t(`blockList.kind.${kind}`) }))} />
          <TextField name="value" label={t("blockList.value")} hint={t("blockList.valueHint")} spellCheck={false} autoComplete="off" defaultValue={result?.fields.value} error={message("value")} />
          <TextField name="note" label={t("blockList.note")} optional defaultValue={result?.fields.note} error={message("note")} />
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("blockList.add")}
          </button>
        </Form>
      </section>
    </div>
  );
}
