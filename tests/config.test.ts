import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadConfig } from "~/infra/config.server";

describe("configuration", () => {
  test("with nothing set, a local install gets working defaults and a kept session secret", () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "undersign-config-"));
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, "http://localhost:3000");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.ok(config.sessionSecret.length >= 32);
    assert.equal(readFileSync(path.join(dataDir, "session-secret"), "utf8").trim(), config.sessionSecret);
    assert.equal(loadConfig({ DATA_DIR: dataDir }).sessionSecret, config.sessionSecret, "the same secret after a restart");
  });

  test("production refuses to start without its settings and names each one", () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: "production" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        ["DATABASE_URL", "SMTP_URL", "MAIL_FROM", "PUBLIC_URL", "SESSION_SECRET"].every((name) =>
          error.problems.some((problem) => problem.startsWith(name)),
        ),
    );
  });

  test("malformed values get a message saying what is expected", () => {
    assert.throws(
      () => loadConfig({ SMTP_URL: "mail.example.org", PORT: "eighty", DATABASE_URL: "mysql://x" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes("SMTP_URL must be an smtp:// or smtps:// URL") &&
        error.message.includes("PORT") &&
        error.message.includes("DATABASE_URL must be a postgres://"),
    );
  });

  test("X-Forwarded-For is not believed unless TRUST_PROXY says so", () => {
    assert.equal(loadConfig({ SESSION_SECRET: "x".repeat(32) }).trustProxy, false);
    assert.equal(loadConfig({ SESSION_SECRET: "x".repeat(32), TRUST_PROXY: "1" }).trustProxy, 1);
    assert.equal(loadConfig({ SESSION_SECRET: "x".repeat(32), TRUST_PROXY: "10.0.0.0/8" }).trustProxy, "10.0.0.0/8");
  });

  test("PUBLIC_URL loses a trailing slash so links are built cleanly", () => {
    const config = loadConfig({ PUBLIC_URL: "https://sign.example.org/", SESSION_SECRET: "x".repeat(32) });
    assert.equal(config.publicUrl, "https://sign.example.org");
  });
});
