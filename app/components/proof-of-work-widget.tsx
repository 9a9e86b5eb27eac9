import { useEffect, useRef } from "react";
import { languageOf } from "~/i18n/i18n";
import { useT } from "~/i18n/react";

/**
 * The ALTCHA widget, self-hosted: it fetches a challenge from our server and, when the form is
 * submitted, solves it in Web Workers before the submission goes on. Its script loads in the
 * browser only, as a separate chunk, and its worker and styles come from this site (the CSP
 * allows nothing else). Without JavaScript the element stays empty; the server says when the
 * check was required (the form's notice).
 */
declare module "react" {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- JSX intrinsic elements are declared in a namespace
  namespace JSX {
    interface IntrinsicElements {
      "altcha-widget": React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement> & {
        challenge?: string;
        auto?: "off" | "onfocus" | "onload" | "onsubmit";
        name?: string;
        language?: string;
        hidefooter?: string;
        hidelogo?: string;
        display?: string;
      };
    }
  }
}

type AltchaGlobal = { algorithms: Map<string, () => Worker> };

export const proofOfWorkChallengePath = "/proof-of-work/challenge";
export const proofOfWorkWorkerPath = "/vendor/altcha/pbkdf2.js";

/**
 * `now` loads the widget's script with the page (the appeal always asks for the work, or the
 * last attempt was refused for want of it). `whenSigning` loads it when someone starts on the
 * form — a pointer, a key or focus inside it — so readers who do not sign never download its
 * 30 KB; the server asks for the work only once an address nears its limits, and then says so.
 */
export function ProofOfWorkWidget({ load }: { load: "now" | "whenSigning" }) {
  const { locale } = useT();
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      void import("altcha/external").then(() => {
        if (cancelled) return;
        const registry = (globalThis as { $altcha?: AltchaGlobal }).$altcha;
        // The external build ships no workers of its own: ours is served from this site.
        registry?.algorithms.set("PBKDF2/SHA-256", () => new Worker(proofOfWorkWorkerPath));
      });
    };
    const form = container.current?.closest("form");
    const signals = ["focusin", "pointerdown", "keydown"] as const;
    if (load === "now" || !form) start();
    else for (const signal of signals) form.addEventListener(signal, start, { once: true });
    return () => {
      cancelled = true;
      if (form) for (const signal of signals) form.removeEventListener(signal, start);
    };
  }, [load]);
  return (
    <div className="proof-of-work" ref={container}>
      <altcha-widget challenge={proofOfWorkChallengePath} auto="onsubmit" display="invisible" name="altcha" language={languageOf(locale)} />
    </div>
  );
}
