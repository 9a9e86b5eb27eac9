import { useEffect } from "react";
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

export function ProofOfWorkWidget() {
  const { locale } = useT();
  useEffect(() => {
    let cancelled = false;
    void import("altcha/external").then(() => {
      if (cancelled) return;
      const registry = (globalThis as { $altcha?: AltchaGlobal }).$altcha;
      // The external build ships no workers of its own: ours is served from this site.
      registry?.algorithms.set("PBKDF2/SHA-256", () => new Worker(proofOfWorkWorkerPath));
    });
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <div className="proof-of-work">
      <altcha-widget challenge={proofOfWorkChallengePath} auto="onsubmit" display="invisible" name="altcha" language={locale} />
    </div>
  );
}
