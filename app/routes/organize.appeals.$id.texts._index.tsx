import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SelectField } from "~/components/form-fields";
import { commonTextLocales, listAppealTexts } from "~/domain/appeal-editing";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "texts.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const texts = await listAppealTexts(context.db, params.id ?? "");
  if (!texts) throw data(null, { status: 404 });
  return { texts, removed: false };
}

export default function AppealTextsPage() {
  const { texts } = useLoaderData<typeof loader>();
  const { t, languageName, languageOptions } = useT();
  const written = new Set(texts.map((text) => text.locale));
  const addable = commonTextLocales.filter((candidate) => !written.has(candidate));
  return (
    <>
      <p className="lead">{t("texts.intro")}</p>
      <ul className="text-list">
        {texts.map((text) => (
          <li key={text.locale} className="card">
            <div>
              <strong lang={text.locale}>{languageName(text.locale)}</strong> {text.isOriginal ? <span className="role-badge">{t("texts.original")}</span> : null}
              <div lang={text.locale} className="text-title">
                {text.title}
              </div>
              {text.hasBody ? null : <div className="hint">{t("texts.missingBody")}</div>}
            </div>
            <Link to={encodeURIComponent(text.locale)} className="button secondary" aria-label={`${t("texts.edit")}: ${languageName(text.locale)}`}>
              {t("texts.edit")}
            </Link>
          </li>
        ))}
      </ul>
      {addable.length > 0 ? (
        <section aria-labelledby="add-text-heading" className="card section">
          <h2 id="add-text-heading">{t("texts.addHeading")}</h2>
          {/* A GET form: choosing a language opens its (empty) editor; nothing is stored until it is saved. */}
          <Form method="get" action="add" className="form">
            <SelectField name="locale" label={t("texts.addLanguage")} options={languageOptions(addable)} />
            <button type="submit" className="button">
              {t("texts.addSubmit")}
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
