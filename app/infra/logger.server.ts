import { pino, type DestinationStream, type Logger } from "pino";
import { decodedOrAsSent } from "./request-path.server";

export type { Logger };

/**
 * Structured JSON logs. Tokens and email addresses must never reach a log line: known
 * fields are censored here, and callers log ids rather than addresses.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "undersign" },
      redact: {
        paths: ["email", "*.email", "token", "*.token", "to", "*.to", "password", "*.password"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

/**
 * Paths that carry a secret — confirmation, withdraw and unsubscribe links, organizers' password
 * links — are shortened before they are logged, in any case the router accepts: whoever reads the
 * log must not be able to use them. A search of the signers (`?q=`) may be someone's name, and
 * is left out too.
 */
export function pathForLog(url: string): string {
  // Decoded first, as the router decodes it: "/%63onfirm/<token>" opens the confirmation page too.
  return decodedOrAsSent(url).replace(/\/(confirm|withdraw|password|unsubscribe)\/[^/?#]+/gi, "/$1/[token]").replace(/([?&]q=)[^&#]*/gi, "$1[search]");
}

/**
 * Text from elsewhere (an SMTP server's refusal, a library's error) with every email address in
 * it masked: "550 <ana@example.org>: no such user" becomes "550 <[email]>: no such user".
 */
export function withoutEmailAddresses(text: string): string {
  return text.replace(/[^\s<>()[\]'",;:]+@[^\s<>()[\]'",;:]+/g, "[email]");
}
