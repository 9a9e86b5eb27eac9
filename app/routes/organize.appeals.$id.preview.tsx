import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppealLayout } from "~/components/appeal-parts";
import { getAppealPreview } from "~/domain/appeals";
import { renderMarkdown } from "~/domain/markdown.server";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ name: "robots", content: "noindex" }, { title: pageTitle(matches, { id: "organize.tabPreview" }) }];

/** The appeal as visitors will read it — drafts included, for organizers only. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appeal = await getAppealPreview(context.db, params.id ?? "", context.readingLanguage);
  if (!appeal) throw data(null, { status: 404 });
  return { appeal, bodyHtml: renderMarkdown(appeal.body) };
}

export default function AppealPreviewPage() {
  const { appeal, bodyHtml } = useLoaderData<typeof loader>();
  const { t } = useT();
  return (
    <>
      <p className="notice preview-banner" role="status">
        {t("preview.banner")}
      </p>
      <AppealLayout appeal={appeal} bodyHtml={bodyHtml} className="preview-frame" />
    </>
  );
}
