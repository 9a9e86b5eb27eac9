import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { AddressObject } from "mailparser";

/**
 * Reads the dev mailbox (the messages app/local/smtp-sink.server.ts saved): a local stand-in.
 * `mailparser` is a development dependency, loaded only when a message is read, so the
 * production bundle never imports it.
 */

export type MailboxMessage = {
  id: string;
  messageId: string | null;
  from: string;
  to: string;
  subject: string;
  date: Date | null;
  text: string;
  html: string | null;
  raw: string;
};

/** Messages an SmtpSink saved, newest first. */
export async function readMailbox(directory: string): Promise<MailboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const ids = names.filter((name) => name.endsWith(".eml")).sort().reverse();
  const messages = await Promise.all(ids.map((id) => readMailboxMessage(directory, id)));
  return messages.filter((message): message is MailboxMessage => message !== null);
}

export async function readMailboxMessage(directory: string, id: string): Promise<MailboxMessage | null> {
  // Ids come from URLs: only names the sink writes are accepted, so no path can escape.
  if (!/^\d{15}-[0-9a-f]{8}\.eml$/.test(id)) return null;
  let raw: Buffer;
  try {
    raw = await readFile(path.join(directory, id));
  } catch {
    return null;
  }
  const { simpleParser } = await import("mailparser");
  const parsed = await simpleParser(raw);
  return {
    id,
    messageId: parsed.messageId ?? null,
    from: parsed.from?.text ?? "",
    to: addressText(parsed.to),
    subject: parsed.subject ?? "",
    date: parsed.date ?? null,
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : null,
    raw: raw.toString("utf8"),
  };
}

function addressText(address: AddressObject | AddressObject[] | undefined): string {
  if (!address) return "";
  return (Array.isArray(address) ? address : [address]).map((a) => a.text).join(", ");
}
