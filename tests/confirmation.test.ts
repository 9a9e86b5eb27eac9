import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { getSignatureCounts, recountSignatures } from "~/domain/counts";
import { listPublicSigners } from "~/domain/signers";
import { confirmSignature, findConfirmation, signAppeal, validateSignature } from "~/domain/signatures";
import { createToken } from "~/domain/tokens";
import { createTestAppeal } from "./support/appeals";
import { useDatabasePerTest } from "./support/database";
import { confirmationToken, deliverQueuedEmail, useInbox } from "./support/mail";

describe("confirming a signature", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  async function signAndReceiveLink(appealId: string, email: string, fields: Record<string, string> = {}) {
    const validated = validateSignature({ fullName: "Kofi Mensah", email, acceptPrivacy: "on", ...fields });
    assert.ok(validated.ok);
    const { signatureId } = await signAppeal(t.db, appealId, validated.input, { locale: "en" });
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const messages = (await inbox.messages()).filter((m) => m.to === email);
    const latest = messages[messages.length - 1];
    assert.ok(latest, `an email reached ${email}`);
    return { signatureId, token: confirmationToken(latest) };
  }

  /**
   * Pending signatures with known confirmation links, written directly (for tests about
   * counting): "<name> <index>", every `listedEvery`-th one listed. Returns their tokens in order.
   */
  async function pendingSignaturesWithLinks(appealId: string, options: { count: number; name: string; listedEvery: number }): Promise<string[]> {
    const tokens: string[] = [];
    for (let index = 0; index < options.count; index++) {
      const { token, tokenHash } = createToken();
      tokens.push(token);
      const email = `${options.name.toLowerCase()}${index}@example.org`;
      await t.db.signature.create({
        data: {
          appealId,
          fullName: `${options.name} ${index}`,
          email,
          emailCanonical: email,
          showPublicly: index % options.listedEvery === 0,
          tokens: { create: { tokenHash, purpose: "CONFIRM", expiresAt: new Date(Date.now() + 60_000) } },
        },
      });
    }
    return tokens;
  }

  test("opening the link shows what will be confirmed and changes nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, token } = await signAndReceiveLink(appeal.id, "open-only@example.org");

    const view = await findConfirmation(t.db, token, "en");
    assert.equal(view?.fullName, "Kofi Mensah");
    assert.equal(view?.appeal.title, appeal.title);
    assert.equal(view?.confirmed, false);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } })).status, "PENDING");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 0, listed: 0 });
  });

  test("pressing the button counts and lists the signature once, however often it is pressed", async () => {
    const appeal = await createTestAppeal(t.db);
    const { token } = await signAndReceiveLink(appeal.id, "listed@example.org", { showPublicly: "on", city: "Accra", country: "GH" });

    const first = await confirmSignature(t.db, token, "en");
    const second = await confirmSignature(t.db, token, "en");
    assert.equal(first?.confirmed, true);
    assert.equal(second?.confirmed, true);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 1 });
    const listed = await listPublicSigners(t.db, appeal.id, { limit: 10 });
    assert.deepEqual(
      listed.signers.map(({ fullName, city, country }) => ({ fullName, city, country })),
      [{ fullName: "Kofi Mensah", city: "Accra", country: "GH" }],
    );
    assert.ok(!JSON.stringify(listed).includes("listed@example.org"), "the public list never holds an email address");
  });

  test("a signer who did not choose to be listed is counted but not shown", async () => {
    const appeal = await createTestAppeal(t.db);
    const { token } = await signAndReceiveLink(appeal.id, "quiet@example.org");
    await confirmSignature(t.db, token, "en");
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 0 });
    assert.equal((await listPublicSigners(t.db, appeal.id, { limit: 10 })).signers.length, 0);
  });

  test("an earlier link still works after a new one was sent", async () => {
    const appeal = await createTestAppeal(t.db);
    const firstLink = await signAndReceiveLink(appeal.id, "twice@example.org");
    const secondLink = await signAndReceiveLink(appeal.id, "twice@example.org");
    assert.notEqual(firstLink.token, secondLink.token);
    assert.equal((await confirmSignature(t.db, firstLink.token, "en"))?.confirmed, true);
    assert.deepEqual(await getSignatureCounts(t.db, appeal.id), { confirmed: 1, listed: 0 });
  });

  test("unknown, malformed and expired links confirm nothing", async () => {
    const appeal = await createTestAppeal(t.db);
    const { signatureId, token } = await signAndReceiveLink(appeal.id, "late@example.org");
    assert.equal(await confirmSignature(t.db, createToken().token, "en"), null);
    assert.equal(await confirmSignature(t.db, "not a token", "en"), null);
    assert.equal(await confirmSignature(t.db, "", "en"), null);

    await t.db.signatureToken.updateMany({ where: { signatureId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal(await findConfirmation(t.db, token, "en"), null);
    assert.equal(await confirmSignature(t.db, token, "en"), null);
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: signatureId } })).status, "PENDING");
  });

  test("tokens are stored only as SHA-256 hashes", async () => {
    const appeal = await createTestAppeal(t.db);
    const { token } = await signAndReceiveLink(appeal.id, "hash@example.org");
    const rows = await t.db.$queryRaw<{ stored: string }[]>`SELECT encode("tokenHash", 'hex') AS stored FROM "SignatureToken" WHERE purpose = 'CONFIRM'`;
    assert.equal(rows.length, 1);
    // Computed here with node:crypto, not with the app's own helper, so a bug there cannot hide.
    const expected = createHash("sha256").update(token, "utf8").digest("hex");
    assert.equal(rows[0]!.stored, expected, "the stored value is the SHA-256 of the emailed token");
    const rawTokenAsHex = Buffer.from(token, "utf8").toString("hex");
    const everything = await t.db.$queryRaw<{ dump: string }[]>`SELECT row_to_json(s)::text AS dump FROM "SignatureToken" s`;
    assert.ok(everything.every((row) => !row.dump.includes(token) && !row.dump.includes(rawTokenAsHex)), "the token itself is nowhere in the rows");
    const jobs = await t.db.$queryRaw<{ dump: string }[]>`SELECT row_to_json(j)::text AS dump FROM graphile_worker._private_jobs j`;
    assert.ok(jobs.every((job) => !job.dump.includes(token)), "the queue never held the token");
  });

  test("presses arriving together, some twice at once: each signature counts once, and exactly one press of each offers a working withdraw link", async () => {
    const appeal = await createTestAppeal(t.db);
    const tokens = await pendingSignaturesWithLinks(appeal.id, { count: 40, name: "Together", listedEvery: 2 });
    const presses = [...tokens, ...tokens.slice(0, 10)];
    const results = await Promise.all(presses.map((token) => confirmSignature(t.db, token, "en")));

    assert.ok(results.every((result) => result?.confirmed === true), "every press sees its signature confirmed");
    assert.deepEqual(
      results.map((result) => result?.fullName),
      presses.map((token) => `Together ${tokens.indexOf(token)}`),
      "each press is answered about its own signature",
    );
    for (const token of tokens) {
      const offered = results.filter((result, index) => presses[index] === token && result?.withdrawToken);
      assert.equal(offered.length, 1, "one press of each signature offers the withdraw link");
    }
    const stored = await t.db.signatureToken.findMany({ where: { purpose: "WITHDRAW" }, select: { tokenHash: true } });
    const offeredHashes = results.flatMap((result) => (result?.withdrawToken ? [createHash("sha256").update(result.withdrawToken).digest("hex")] : []));
    assert.deepEqual(stored.map((row) => Buffer.from(row.tokenHash).toString("hex")).sort(), offeredHashes.sort(), "each offered link is stored, and only those");
    const counts = await getSignatureCounts(t.db, appeal.id);
    assert.deepEqual(counts, { confirmed: 40, listed: 20 });
    assert.deepEqual(counts, await recountSignatures(t.db, appeal.id));
  });

  test("the count stays exact when hundreds of confirmations arrive at once", async () => {
    const appeal = await createTestAppeal(t.db);
    const signatureCount = 300;
    const tokens = await pendingSignaturesWithLinks(appeal.id, { count: signatureCount, name: "Signer", listedEvery: 3 });
    const pending = [...tokens, ...tokens.slice(0, 50)]; // some pressed twice
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let token = pending.pop(); token; token = pending.pop()) await confirmSignature(t.db, token, "en");
    }));

    const counts = await getSignatureCounts(t.db, appeal.id);
    assert.deepEqual(counts, { confirmed: signatureCount, listed: signatureCount / 3 });
    assert.deepEqual(counts, await recountSignatures(t.db, appeal.id));
  });
});
