import { useEffect, useId, useState } from "react";
import { useRouteLoaderData } from "@remix-run/react";
import { absoluteUrl, appealSharePaths, shareLinks, type ShareNetwork } from "~/domain/sharing";
import { useT } from "~/i18n/react";
import type { MessageId } from "~/i18n/i18n";

/** The site's public address, from the root loader: shared links must be absolute. */
export function usePublicUrl(): string {
  const root = useRouteLoaderData("root") as { publicUrl?: string } | undefined;
  return root?.publicUrl ?? "";
}

/** An appeal's address as others will open it. */
export function useAppealUrl(slug: string): string {
  return absoluteUrl(usePublicUrl(), appealSharePaths(slug).page);
}

const networkNames: Record<ShareNetwork, MessageId> = {
  email: "sharing.viaEmail",
  telegram: "sharing.viaTelegram",
  whatsapp: "sharing.viaWhatsApp",
  x: "sharing.viaX",
  facebook: "sharing.viaFacebook",
};

/**
 * Ways to pass an appeal on: plain links to a mail program and to each network's own share
 * page (nothing from those sites loads here until the reader follows one), and the address to
 * copy. The address is a read-only field that works without JavaScript; with it, a button copies
 * it in one press. `compact` is the short form for the appeal page's side column.
 */
export function ShareLinks({ slug, title, compact = false }: { slug: string; title: string; compact?: boolean }) {
  const { t } = useT();
  const url = useAppealUrl(slug);
  const headingId = useId();
  const fieldId = useId();
  const links = shareLinks({
    url,
    message: t("sharing.message", { title }),
    subject: t("sharing.emailSubject", { title }),
    emailBody: t("sharing.emailBody", { title, url }),
  });
  return (
    <section className={compact ? "share compact card share-section" : "share share-section"} aria-labelledby={headingId} data-testid="share-links">
      <h2 id={headingId}>{t(compact ? "sharing.headingCompact" : "sharing.heading")}</h2>
      {compact ? null : <p>{t("sharing.intro")}</p>}
      <ul className="share-links">
        {links.map((link) => (
          <li key={link.network}>
            {/* Another site's page in a new tab keeps this one; noreferrer: it learns nothing of where the reader came from. */}
            <a href={link.href} className={`share-link share-${link.network}`} {...(link.network === "email" ? {} : { target: "_blank", rel: "noopener noreferrer" })}>
              {t(networkNames[link.network])}
            </a>
          </li>
        ))}
      </ul>
      <CopyableText id={fieldId} label={t("sharing.linkLabel")} text={url} />
    </section>
  );
}

/**
 * A read-only field holding text to copy (a link, a snippet of HTML), selected whole when
 * focused, with a copy button once JavaScript runs (the button does nothing without it, so it
 * is not shown before).
 */
export function CopyableText({ id, label, text, multiline = false }: { id: string; label: string; text: string; multiline?: boolean }) {
  const { t } = useT();
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  const selectAll = (event: React.FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => event.currentTarget.select();
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
  };
  return (
    <div className="copyable">
      <label htmlFor={id}>{label}</label>
      <div className="copyable-row">
        {multiline ? (
          <textarea id={id} readOnly value={text} rows={3} onFocus={selectAll} spellCheck={false} />
        ) : (
          <input id={id} type="text" readOnly value={text} onFocus={selectAll} spellCheck={false} />
        )}
        {canCopy ? (
          <button type="button" className="button secondary" onClick={copy}>
            {t("sharing.copy")}
          </button>
        ) : null}
      </div>
      {/* Announced when it changes (a live region), but not a page status of its own: a page has one "status". */}
      <p className="copy-status" aria-live="polite" aria-atomic="true">
        {copied === "yes" ? t("sharing.copied") : copied === "failed" ? t("sharing.copyFailed") : null}
      </p>
    </div>
  );
}
