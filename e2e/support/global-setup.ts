import { createTestDatabase } from "../../tests/support/database";
import { startTestInbox, testMailFrom } from "../../tests/support/mail";
import { startApp } from "./app";

/**
 * Starts what the journeys run against: the built app on a database of its own, sending mail
 * over real SMTP to an inbox the tests read. Returns the teardown.
 */
export default async function globalSetup() {
  const port = process.env.UNDERSIGN_E2E_PORT;
  if (!port) throw new Error("UNDERSIGN_E2E_PORT is not set (playwright.config.ts sets it)");
  const database = await createTestDatabase();
  const inbox = await startTestInbox();
  const app = await startApp({
    port: Number(port),
    env: {
      NODE_ENV: "test",
      DATABASE_URL: database.url,
      SMTP_URL: inbox.url,
      MAIL_FROM: testMailFrom,
      WORKER_CONCURRENCY: "4",
      // Low enough for a journey to reach; each journey signs its own appeal at most 3 times.
      SIGN_LIMIT_PER_IP_MINUTE: "4",
      // A browser driven by Playwright fills the form faster than any person: the timing check
      // (tests/held-signatures.test.ts) would hold every journey's signature.
      SIGN_MIN_FILL_SECONDS: "0",
    },
  });

  process.env.UNDERSIGN_E2E_DATABASE_URL = database.url;
  process.env.UNDERSIGN_E2E_MAILBOX = inbox.directory;

  return async () => {
    await app.stop();
    await inbox.stop();
    await database.drop();
  };
}
