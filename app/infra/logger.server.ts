import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Tokens and email addresses must never reach a log line: known
 * fields are censored here, and callers log ids rather than addresses.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: "undersign" },
    redact: {
      paths: ["email", "*.email", "token", "*.token", "to", "*.to", "password", "*.password"],
      censor: "[redacted]",
    },
  });
}

/**
 * Paths that carry a secret — confirmation and withdraw links, organizers' password links — are
 * shortened before they are logged: whoever reads the log must not be able to use them.
 */
export function pathForLog(url: string): string {
  return url.replace(/\/(confirm|withdraw|password)\/[^/?#]+/, "/$1/[token]");
}
