import { createServer } from "node:net";
import { defineConfig } from "@playwright/test";
import { chromiumArgs, findChromium } from "./tests/support/chromium";

/** The app under test listens on a port free at start; workers inherit it through the environment. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

process.env.UNDERSIGN_E2E_PORT ??= String(await freePort());
const browser = findChromium();
if ("problem" in browser) throw new Error(browser.problem);

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/support/global-setup.ts",
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: ".data/test-results",
  use: {
    baseURL: `http://localhost:${process.env.UNDERSIGN_E2E_PORT}`,
    browserName: "chromium",
    launchOptions: { executablePath: browser.path, args: chromiumArgs },
    trace: "retain-on-failure",
  },
});
