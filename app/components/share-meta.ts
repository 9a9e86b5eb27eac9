import type { MetaArgs, MetaDescriptor } from "@remix-run/node";
import { absoluteUrl, appealSharePaths, shareImageSize } from "~/domain/sharing";
import { translatorFor } from "~/i18n/meta";

/**
 * What a link to an appeal shows where it is shared (Open Graph, read by most messengers and
 * networks; X's card tags): the title, summary, and the share image of the count. Addresses
 * are absolute, under PUBLIC_URL.
 */
export function appealShareMeta(
  matches: MetaArgs["matches"],
  appeal: { slug: string; locale: string; title: string; summary: string | null; confirmed: number },
): MetaDescriptor[] {
  const root = matches.find((match) => match.id === "root")?.data as { publicUrl?: string } | undefined;
  const translator = translatorFor(matches);
  if (!root || !translator) return [];
  const publicUrl = root.publicUrl;
  const { t } = translator;
  const paths = appealSharePaths(appeal.slug);
  const description = appeal.summary ? [appeal.summary] : [];
  const imageAlt = t("sharing.imageAlt", { title: appeal.title, count: appeal.confirmed });
  // The image of the text in the language the page shows.
  const image = publicUrl ? absoluteUrl(publicUrl, `${paths.shareImage}?lang=${encodeURIComponent(appeal.locale)}`) : null;
  return [
    { property: "og:type", content: "article" },
    { property: "og:site_name", content: t("site.name") },
    { property: "og:title", content: appeal.title },
    ...description.flatMap((content) => [
      { name: "description", content },
      { property: "og:description", content },
      { name: "twitter:description", content },
    ]),
    ...(publicUrl ? [{ property: "og:url", content: absoluteUrl(publicUrl, paths.page) }] : []),
    ...(image
      ? [
          { property: "og:image", content: image },
          { property: "og:image:type", content: "image/png" },
          { property: "og:image:width", content: String(shareImageSize.width) },
          { property: "og:image:height", content: String(shareImageSize.height) },
          { property: "og:image:alt", content: imageAlt },
          { name: "twitter:image", content: image },
          { name: "twitter:image:alt", content: imageAlt },
        ]
      : []),
    { name: "twitter:card", content: "summary_large_image" },
    { name: "twitter:title", content: appeal.title },
  ];
}
