import { defineConfig } from "@playwright/test";
import { freePort } from "./e2e/support/app";
import { chromiumArgs, findChromium } from "./tests/support/chromium";

// The app under test listens on a port free at start; workers inherit it through the environment.
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
  // A bound against a hang, not a wait: journeys end as soon as their conditions hold. Two web
  // processes, the worker, two browsers and axe share two cores; with two journeys at once the
  // longest (a 5 MB photo processed, several password hashes, axe on long tables) take 30–55 s,
  // and a 60 s bound failed CI on one that was only slow (the moderation journey, since split).
  timeout: 120_000,
  expect: { timeout: 10_000 },
  outputDir: ".data/test-results",
  use: {
    baseURL: `http://localhost:${process.env.UNDERSIGN_E2E_PORT}`,
    browserName: "chromium",
    launchOptions: { executablePath: browser.path, args: chromiumArgs },
    trace: "retain-on-failure",
  },
});
