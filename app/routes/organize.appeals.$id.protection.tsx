import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, SelectField, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { getAppealProtection, saveAppealProtection } from "~/domain/appeal-protection";
import { discardHeldSignatures, listHeldSignatures, releaseHeldSignatures } from "~/domain/signatures";
import type { FieldErrors } from "~/domain/validation";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "organize.tabProtection" }) }];

const heldShown = 200;

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  const settings = await getAppealProtection(context.db, appealId);
  if (!settings) throw data(null, { status: 404 });
  return { settings, held: await listHeldSignatures(context.db, appealId, { limit: heldShown }), siteDefaults: context.siteSigningLimits };
}

type Result =
  | { intent: "settings"; fieldErrors: FieldErrors; fields: Record<string, string> | null; saved: boolean }
  | { intent: "release" | "discard"; count: number };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const organizer = requireOrganizer(context, "editAppeals");
  const appealId = params.id ?? "";
  // Held signatures are chosen with several checkboxes of one name: FormData keeps them all.
  const body = await request.formData().catch(() => null);
  if (!body) throw data(null, { status: 400 });
  const intent = body.get("intent");
  if (intent === "release" || intent === "discard") {
    const ids = body.getAll("signature").filter((value): value is string => typeof value === "string");
    const count = intent === "release" ? await releaseHeldSignatures(context.db, organizer, appealId, ids) : await discardHeldSignatures(context.db, organizer, appealId, ids);
    return data<Result>({ intent, count }, { status: ids.length === 0 ? 400 : 200 });
  }
  const text = (name: string) => {
    const value = body.get(name);
    return typeof value === "string" ? value : "";
  };
  const fields = { proofOfWork: text("proofOfWork"), signLimitPerMinute: text("signLimitPerMinute"), signLimitPerHour: text("signLimitPerHour") };
  const saved = await saveAppealProtection(context.db, appealId, fields);
  if (!saved.ok) return data<Result>({ intent: "settings", fieldErrors: saved.fieldErrors, fields, saved: false }, { status: 400 });
  return data<Result>({ intent: "settings", fieldErrors: {}, fields: null, saved: true });
}

export default function AppealProtectionPage() {
  const { settings, held, siteDefaults } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, dateTime } = useT();
  const navigation = useNavigation();
  const settingsResult = result?.intent === "settings" ? result : null;
  const heldResult = result && result.intent !== "settings" ? result : null;
  const message = useFieldErrorMessages(settingsResult?.fieldErrors);
  const values = settingsResult?.fields ?? settings;

  return (
    <>
      <section aria-labelledby="held-heading">
        <h2 id="held-heading">{t("protection.heldHeading")}</h2>
        <p className="lead">{t("protection.heldIntro")}</p>
        {heldResult ? (
          <p className={heldResult.count > 0 ? "notice" : "error-summary"} role={heldResult.count > 0 ? "status" : "alert"}>
            {heldResult.count === 0 ? t("protection.noneSelected") : t(heldResult.intent === "release" ? "protection.released" : "protection.discarded", { count: heldResult.count })}
          </p>
        ) : null}
        {held.total === 0 ? (
          <p>{t("protection.heldNone")}</p>
        ) : (
          <Form method="post">
            <p className="hint">{t("protection.heldShown", { shown: held.signatures.length, total: held.total })}</p>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">{t("protection.columnSelect")}</span>
                  </th>
                  <th scope="col">{t("protection.columnName")}</th>
                  <th scope="col">{t("protection.columnEmail")}</th>
                  <th scope="col">{t("protection.columnReason")}</th>
                  <th scope="col">{t("protection.columnWhen")}</th>
                  <th scope="col">{t("protection.columnAddress")}</th>
                </tr>
              </thead>
              <tbody>
                {held.signatures.map((signature) => (
                  <tr key={signature.id}>
                    <td>
                      <input type="checkbox" name="signature" value={signature.id} aria-label={t("protection.selectLabel", { name: signature.fullName })} />
                    </td>
                    <td>{signature.fullName}</td>
                    <td>{signature.email}</td>
                    <td>{signature.heldReason ? t(`protection.reason.${signature.heldReason}` as "protection.reason.blocked") : ""}</td>
                    <td>{dateTime(new Date(signature.createdAt))}</td>
                    <td>
                      <code>{signature.networkAddress ?? ""}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="button-row">
              <button type="submit" name="intent" value="release" className="button" disabled={navigation.state !== "idle"}>
                {t("protection.release")}
              </button>
              <button type="submit" name="intent" value="discard" className="button danger" disabled={navigation.state !== "idle"}>
                {t("protection.discard")}
              </button>
            </div>
          </Form>
        )}
      </section>

      <section aria-labelledby="settings-heading" className="card section">
        <h2 id="settings-heading">{t("protection.settingsHeading")}</h2>
        {settingsResult?.saved ? (
          <p className="notice" role="status">
            {t("protection.saved")}
          </p>
        ) : null}
        <ErrorSummary fieldErrors={settingsResult?.fieldErrors} order={["proofOfWork", "signLimitPerMinute", "signLimitPerHour"]} />
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="settings" />
          <SelectField
            name="proofOfWork"
            label={t("protection.proofOfWork")}
            hint={t("protection.proofOfWorkHint")}
            defaultValue={values.proofOfWork}
            error={message("proofOfWork")}
            options={(["AUTOMATIC", "ALWAYS", "OFF"] as const).map((mode) => ({ value: mode, label: t(`protection.proofOfWork.${mode}`) }))}
          />
          <TextField name="signLimitPerMinute" inputMode="numeric" label={t("protection.limitPerMinute")} hint={t("protection.limitHint", { value: siteDefaults.perAddressPerMinute })} optional defaultValue={values.signLimitPerMinute} error={message("signLimitPerMinute")} />
          <TextField name="signLimitPerHour" inputMode="numeric" label={t("protection.limitPerHour")} hint={t("protection.limitHint", { value: siteDefaults.perAddressPerHour })} optional defaultValue={values.signLimitPerHour} error={message("signLimitPerHour")} />
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("form.save")}
          </button>
        </Form>
      </section>
    </>
  );
}
