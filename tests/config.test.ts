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
        ["DATABASE_URL", "SMTP_URL", "MAIL_FROM", "PUBLIC_URL", "SESSION_SECRET", "OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_EMAIL"].every((name) =>
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

  test("the operator's settings write the privacy notice and imprint; outside production, placeholders name what to set", () => {
    const unset = loadConfig({ SESSION_SECRET: "x".repeat(32) }).site;
    assert.match(unset.operator.name, /set OPERATOR_NAME/);
    assert.deepEqual(unset.operator.addressLines, ["(set OPERATOR_ADDRESS)"]);
    assert.match(unset.operator.email, /OPERATOR_EMAIL/);
    assert.equal(unset.privacyContactEmail, unset.operator.email);
    assert.equal(unset.networkAddressRetentionDays, 30);
    assert.equal(unset.supervisoryAuthority, null);

    const set = loadConfig({
      SESSION_SECRET: "x".repeat(32),
      OPERATOR_NAME: "Civic Letters Association",
      // As typed in a .env file (a backslash and n), and with a real line break.
      OPERATOR_ADDRESS: "Civic Letters Association\\n12 Harbour Lane\n 4000 Porttown ",
      OPERATOR_EMAIL: "office@civic-letters.example",
      OPERATOR_REGISTER: "Association register no. 1234",
      OPERATOR_REPRESENTATIVE: "Dana Chair",
      PRIVACY_CONTACT_EMAIL: "privacy@civic-letters.example",
      PRIVACY_SUPERVISORY_AUTHORITY: "Porttown Data Protection Office",
      NETWORK_ADDRESS_RETENTION_DAYS: "14",
    }).site;
    assert.deepEqual(set, {
      operator: {
        name: "Civic Letters Association",
        addressLines: ["Civic Letters Association", "12 Harbour Lane", "4000 Porttown"],
        email: "office@civic-letters.example",
        register: "Association register no. 1234",
        representative: "Dana Chair",
      },
      privacyContactEmail: "privacy@civic-letters.example",
      supervisoryAuthority: "Porttown Data Protection Office",
      networkAddressRetentionDays: 14,
    });
    assert.throws(
      () => loadConfig({ SESSION_SECRET: "x".repeat(32), NETWORK_ADDRESS_RETENTION_DAYS: "0", OPERATOR_EMAIL: "not an address" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((problem) => problem.startsWith("NETWORK_ADDRESS_RETENTION_DAYS")) &&
        error.problems.some((problem) => problem.startsWith("OPERATOR_EMAIL must be an email address")),
    );
  });

  test("PUBLIC_URL loses a trailing slash so links are built cleanly", () => {
    const config = loadConfig({ PUBLIC_URL: "https://sign.example.org/", SESSION_SECRET: "x".repeat(32) });
    assert.equal(config.publicUrl, "https://sign.example.org");
  });
});
