import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";

export type OutgoingEmail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra header fields, e.g. List-Unsubscribe on updates to signers. */
  headers?: Record<string, string>;
};

export type Mailer = {
  send: (email: OutgoingEmail) => Promise<{ messageId: string }>;
  close: () => void;
};

/**
 * Whether sending failed because the recipient's server refused the address for good: a 5xx
 * answer to RCPT TO (nodemailer's EENVELOPE). Anything else — the server unreachable, a 4xx
 * "try later", a refusal of our own login or sender — is worth retrying or is ours to fix.
 */
export function isPermanentRecipientRejection(error: unknown): error is Error & { responseCode: number; response?: string } {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return code === "EENVELOPE" && typeof responseCode === "number" && responseCode >= 500 && responseCode < 600;
}

/** The one way Undersign sends email: nodemailer over SMTP to SMTP_URL (or the dev mailbox). */
export function createMailer(options: { smtpUrl: string; from: string; connections?: number }): Mailer {
  // Connections are kept open and reused (a pool as large as the jobs that send at once):
  // opening one per message (TCP, greeting, EHLO, often TLS and login) cost more than the message.
  // Settings in SMTP_URL's query (e.g. ?pool=false) take precedence.
  const transport = nodemailer.createTransport({ url: options.smtpUrl, pool: true, maxConnections: options.connections ?? 5 });
  // Message-IDs carry the sender's domain, as RFC 5322 recommends, so replies and bounces thread.
  const domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? "localhost";
  return {
    async send(email) {
      const messageId = `<${randomUUID()}@${domain}>`;
      await transport.sendMail({ from: options.from, messageId, ...email });
      return { messageId };
    },
    close: () => transport.close(),
  };
}
