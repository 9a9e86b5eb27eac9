import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The browser the journeys run in: CHROMIUM_PATH if set, else Debian's /usr/bin/chromium,
 * else Playwright's own build if it was installed. Playwright cannot download browsers on
 * machines without internet access, which is why the system package comes first.
 */
export function findChromium(): { path: string } | { problem: string } {
  const howToGetOne =
    "Install one: `apt-get install chromium` (Debian/Ubuntu), or `npx playwright install chromium` " +
    "where downloads work, or set CHROMIUM_PATH to a Chromium binary.";
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return existsSync(configured) ? { path: configured } : { problem: `CHROMIUM_PATH=${configured} does not exist. ${howToGetOne}` };
  }
  if (existsSync("/usr/bin/chromium")) return { path: "/usr/bin/chromium" };
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return { path: bundled };
  return { problem: `No Chromium found for the browser tests. ${howToGetOne}` };
}

/** Flags that keep Chromium quiet on a closed network and runnable as root in CI. */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
