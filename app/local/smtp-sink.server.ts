import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { SMTPServer } from "smtp-server";

export type SmtpSink = { url: string; stop: () => Promise<void> };

/**
 * A real SMTP server that keeps every message it receives as an .eml file in `directory`.
 * It is the dev mailbox when no SMTP_URL is configured, and the inbox the tests read.
 * It listens on loopback only and accepts any sender and recipient.
 */
export async function startSmtpSink(options: {
  directory: string;
  port?: number;
  /** Awaited before each message is kept and acknowledged: tests slow the server down with it. */
  beforeSaving?: () => Promise<void>;
}): Promise<SmtpSink> {
  await mkdir(options.directory, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    banner: "Undersign local mailbox",
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        Promise.resolve(options.beforeSaving?.())
          .then(() => saveMessage(options.directory, Buffer.concat(chunks)))
          .then(() => callback(), callback);
      });
    },
  });
  let rejectStart: (error: Error) => void = () => undefined;
  await new Promise<void>((resolve, reject) => {
    rejectStart = reject;
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  // After listening, the errors left are one connection's (a sender killed mid-message resets
  // its socket): that is the sender's problem, and must not bring down the mailbox.
  server.off("error", rejectStart);
  server.on("error", () => undefined);
  const { port } = server.server.address() as AddressInfo;
  let stopped: Promise<void> | null = null;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

/** Names sort by arrival; written under a temporary name first so readers never see half a message. */
async function saveMessage(directory: string, raw: Buffer): Promise<void> {
  const name = `${Date.now().toString().padStart(15, "0")}-${randomBytes(4).toString("hex")}.eml`;
  const partial = path.join(directory, `.${name}.partial`);
  await writeFile(partial, raw);
  await rename(partial, path.join(directory, name));
}
