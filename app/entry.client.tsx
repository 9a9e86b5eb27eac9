import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { pageMessagesScriptId } from "~/i18n/public-messages";

/**
 * Remix's own start, after the page's messages script (root.tsx) has run: it loads in parallel
 * with the application's modules, and the page must hydrate with the text the server wrote.
 */
function pageMessagesLoaded(): Promise<void> {
  const script = document.getElementById(pageMessagesScriptId);
  if (!script || window.__undersignMessages) return Promise.resolve();
  return new Promise((resolve) => {
    script.addEventListener("load", () => resolve(), { once: true });
    // Without them the page still works, in message ids: better than not at all.
    script.addEventListener("error", () => resolve(), { once: true });
  });
}

void pageMessagesLoaded().then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  }),
);
