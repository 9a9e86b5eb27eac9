import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { runOnce } from "graphile-worker";
import pg from "pg";
import type { Database } from "~/infra/db.server";
import { createLogger, type Logger } from "~/infra/logger.server";
import { createMailer } from "~/infra/mail/mailer.server";
import { readMailbox, type MailboxMessage } from "~/local/mailbox.server";
import { startSmtpSink, type SmtpSink } from "~/local/smtp-sink.server";
import { queueLogger } from "~/infra/queue/worker.server";
import { createTaskList } from "~/jobs";

export const testMailFrom = "Undersign Tests <appeals@undersign.test>";
export const testPublicUrl = "http://undersign.test";

/** A real SMTP server on loopback and the messages it received. */
export type TestInbox = SmtpSink & {
  messages: () => Promise<MailboxMessage[]>;
  directory: string;
  /** Stops listening, as a mail server that is down: connections are refused until `resume`. */
  goDown: () => Promise<void>;
  /** Listens again on the same port, keeping the messages received before. */
  resume: () => Promise<void>;
};

/** `delayEachMessageMs`: each message is acknowledged that much later, as by a slow mail server. */
export async function startTestInbox(options: { delayEachMessageMs?: number } = {}): Promise<TestInbox> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "undersign-inbox-"));
  const delayMs = options.delayEachMessageMs ?? 0;
  const beforeSaving = delayMs > 0 ? () => new Promise<void>((resolve) => setTimeout(resolve, delayMs)) : undefined;
  let sink: SmtpSink | null = await startSmtpSink({ directory, beforeSaving });
  const { url } = sink;
  const port = Number(new URL(url).port);
  return {
    url,
    directory,
    messages: async () => (await readMailbox(directory)).reverse(),
    goDown: async () => {
      await sink?.stop();
      sink = null;
    },
    resume: async () => {
      sink ??= await startSmtpSink({ directory, port, beforeSaving });
    },
    stop: async () => {
      await sink?.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Runs the real worker tasks once over every job that is due, sending through `smtpUrl`. */
export async function deliverQueuedEmail(options: { databaseUrl: string; db: Database; smtpUrl: string; log?: Logger }): Promise<void> {
  await runQueuedJobs(options);
}

/** The same for any queued job, with the worker's settings a test may choose. */
export async function runQueuedJobs(options: { databaseUrl: string; db: Database; smtpUrl: string; networkAddressRetentionDays?: number; updateEmailsPerMinute?: number; log?: Logger }): Promise<void> {
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: testMailFrom });
  const log = options.log ?? createLogger("silent");
  // Our own pool, closed before returning: runOnce's own could keep a connection open past the
  // test, and dropping the test's database then fails it with 57P01 in whatever test runs next.
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  // A connection dropped while idle reports on the pool, a busy one on its client (graphile-worker
  // warns about a pool that listens only to the first).
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  try {
    await runOnce({
      pgPool: pool,
      taskList: createTaskList({
        db: options.db,
        mailer,
        publicUrl: testPublicUrl,
        log,
        networkAddressRetentionDays: options.networkAddressRetentionDays ?? 30,
        updateEmailsPerMinute: options.updateEmailsPerMinute,
      }),
      logger: queueLogger(log),
    });
  } finally {
    mailer.close();
    await pool.end();
  }
}

/** The confirmation link in a message, as a person would copy it. */
export function confirmationToken(message: MailboxMessage): string {
  const match = /\/confirm\/([A-Za-z0-9_-]{43})/.exec(message.text);
  if (!match?.[1]) throw new Error(`no confirmation link in message "${message.subject}"`);
  return match[1];
}

/** The withdraw link's token in a message (every email about a signature has one). */
export function withdrawalToken(message: MailboxMessage): string {
  const match = /\/withdraw\/([A-Za-z0-9_-]{43})/.exec(message.text);
  if (!match?.[1]) throw new Error(`no withdraw link in message "${message.subject}"`);
  return match[1];
}

/** Inside a `describe`: one inbox for all its tests (tests tell their messages apart by address). */
export function useInbox(): Pick<TestInbox, "messages"> & { readonly url: string } {
  let inbox: TestInbox | null = null;
  before(async () => {
    inbox = await startTestInbox();
  });
  after(async () => {
    await inbox?.stop();
  });
  const active = () => {
    if (!inbox) throw new Error("the inbox exists only while the suite runs");
    return inbox;
  };
  return {
    get url() {
      return active().url;
    },
    messages: () => active().messages(),
  };
}
