import { after, before } from "node:test";
import { createTestDatabase, type TestDatabase } from "./database";
import { startTestInbox, type TestInbox } from "./mail";
import { builtProcesses, burstSigningEnv } from "./processes";

/**
 * At the top of a test file: a deployment as it runs in production, for signing in bursts — one
 * database and one mail server for the whole file, and built web and worker processes started
 * on them (`start`), all stopped and removed after the file.
 */
export function useBurstSigningDeployment(sessionSecret: string) {
  let database: TestDatabase | null = null;
  let inbox: TestInbox | null = null;
  const processes = builtProcesses();
  before(async () => {
    database = await createTestDatabase();
    inbox = await startTestInbox();
  });
  after(async () => {
    await processes.stopAll();
    await inbox?.stop();
    await database?.drop();
  });
  const active = <T>(part: T | null): T => {
    if (!part) throw new Error("the deployment exists only while the file's tests run");
    return part;
  };
  return {
    get database() {
      return active(database);
    },
    get inbox() {
      return active(inbox);
    },
    /** Starts a built `server` or `worker` on them; resolves to its base URL once it runs. */
    async start(entry: "server" | "worker"): Promise<string> {
      const env = burstSigningEnv({ databaseUrl: active(database).url, smtpUrl: active(inbox).url, sessionSecret });
      const { port } = await processes.start(entry, env);
      return `http://127.0.0.1:${port}`;
    },
  };
}
