import { randomBytes } from "node:crypto";
import { freePort, productionNodeArgs, startProcess, type Started } from "../../tests/support/processes";

export type BenchApp = { app: Started; port: number; baseUrl: string };

/**
 * The built web process as `npm run serve` starts it in production, on a database of the
 * benchmark's own, with no worker (no email is sent; SMTP_URL points nowhere) and the operator
 * details production requires. `env` adds or replaces settings (limits, SESSION_SECRET when the
 * benchmark must sign form tokens, WEB_PROCESSES); `publicHost` is the host of PUBLIC_URL.
 */
export async function startBenchApp(options: {
  databaseUrl: string;
  dataDir: string;
  nodeArgs?: string[];
  publicHost?: string;
  env?: Record<string, string>;
}): Promise<BenchApp> {
  const port = await freePort();
  const baseUrl = `http://${options.publicHost ?? "127.0.0.1"}:${port}`;
  const app = startProcess("node", [...productionNodeArgs("serve"), ...(options.nodeArgs ?? []), "build/server.js"], {
    env: {
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, // never used: RUN_WORKER=false
      MAIL_FROM: "Undersign Bench <bench@undersign.test>",
      PUBLIC_URL: baseUrl,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      OPERATOR_NAME: "Undersign Bench",
      OPERATOR_ADDRESS: "1 Test Street\\n12345 Testtown",
      OPERATOR_EMAIL: "bench@undersign.test",
      PORT: String(port),
      RUN_WORKER: "false",
      DATA_DIR: options.dataDir,
      ...options.env,
    },
  });
  await app.waitForOutput(/Undersign is running/);
  return { app, port, baseUrl };
}
