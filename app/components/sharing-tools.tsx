import { useId } from "react";
import { CopyableText, usePublicUrl } from "~/components/share-links";
import { absoluteUrl, appealSharePaths, badgeSnippet, embedSnippet } from "~/domain/sharing";
import { useT } from "~/i18n/react";

/**
 * For organizers: the HTML to put the appeal on their own sites (the embed's frame, the badge),
 * and the QR codes, flyer and share image. Only a published appeal has them; a draft says so.
 */
export function AppealSharingTools({ slug, title, isPublic }: { slug: string; title: string; isPublic: boolean }) {
  const { t } = useT();
  const publicUrl = usePublicUrl();
  const embedId = useId();
  const badgeId = useId();
  const paths = appealSharePaths(slug);
  return (
    <section aria-labelledby="sharing-heading" className="card section sharing-tools">
      <h2 id="sharing-heading">{t("sharing.organizerHeading")}</h2>
      <p>{t("sharing.organizerIntro")}</p>
      {isPublic ? (
        <>
          <CopyableText id={embedId} label={t("sharing.embedSnippetLabel")} text={embedSnippet(publicUrl, slug, t("sharing.embedTitle", { title }))} multiline />
          <CopyableText id={badgeId} label={t("sharing.badgeSnippetLabel")} text={badgeSnippet(publicUrl, slug, t("sharing.badgeAlt", { title }))} multiline />
          <ul className="link-list">
            <li>
              <a href={paths.qrSvg}>{t("sharing.qrSvg")}</a>
            </li>
            <li>
              <a href={paths.qrPng}>{t("sharing.qrPng")}</a>
            </li>
            <li>
              <a href={paths.flyer}>{t("sharing.flyerLink")}</a>
            </li>
            <li>
              <a href={paths.embed}>{t("sharing.embedLink")}</a>
            </li>
            <li>
              <a href={paths.shareImage}>{t("sharing.shareImageLink")}</a> <code>{absoluteUrl(publicUrl, paths.shareImage)}</code>
            </li>
          </ul>
        </>
      ) : (
        <p>{t("sharing.organizerDraft")}</p>
      )}
    </section>
  );
}
