/**
 * Moderation: organizers hide signatures from the public list (they still count), invalidate
 * them (they stop counting) and restore them, one at a time or in bulk with an undo. The sharded
 * counts must agree with a recount after every single action, and after any sequence of them
 * mixed with confirmations and withdrawals (a property test).
 *
 *   node --import tsx --test tests/moderation.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout } from "node:timers/promises";
import fc from "fast-check";
import pg from "pg";
import { confirmAndCount, confirmManyAndCount, getSignatureCounts, recountSignatures } from "~/domain/counts";
import {
  applyBulkInvalidation,
  listBulkInvalidations,
  listSignaturesForModeration,
  moderateSignature,
  noSignatureFilters,
  previewBulkInvalidation,
  readBulkCriteria,
  readSignatureFilters,
  undoBulkInvalidation,
  type BulkCriteria,
  type ModerationChange,
  type SignatureFilters,
} from "~/domain/moderation.server";
import { listAuditEvents } from "~/domain/audit";
import type { SignedInOrganizer } from "~/domain/organizers";
import { applyPaperImport, stagePaperImport } from "~/domain/paper-signatures";
import { listPublicSigners } from "~/domain/signers";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createWithdrawalToken, withdrawSignature } from "~/domain/withdrawals";
import type { Database } from "~/infra/db.server";
import { action as signaturesAction, loader as signaturesLoader } from "~/routes/organize.appeals.$id.signatures";
import { createTestAppeal } from "./support/appeals";
import { testLoadContext } from "./support/context";
import { useDatabasePerTest } from "./support/database";
import { confirmationToken, deliverQueuedEmail, useInbox } from "./support/mail";

async function anEditor(db: Database): Promise<SignedInOrganizer> {
  return db.organizer.create({
    data: { email: "ed@example.org", emailCanonical: "ed@example.org", name: "Ed Editor", role: "EDITOR" },
    select: { id: true, name: true, email: true, role: true },
  });
}

type Signing = { name?: string; listed?: boolean; networkAddress?: string; createdAt?: Date };

async function sign(db: Database, appealId: string, email: string, options: Signing = {}): Promise<string> {
  const validated = validateSignature({ fullName: options.name ?? `Signer ${email.split("@")[0]}`, email, acceptPrivacy: "on", ...(options.listed === false ? {} : { showPublicly: "on" }) });
  assert.ok(validated.ok);
  const { signatureId } = await signAppeal(db, appealId, validated.input, { locale: "en", networkAddress: options.networkAddress ?? "203.0.113.7", userAgent: "Mozilla/5.0 (test)" });
  if (options.createdAt) await db.signature.update({ where: { id: signatureId }, data: { createdAt: options.createdAt } });
  return signatureId;
}

async function signAndConfirm(db: Database, appealId: string, email: string, options: Signing = {}): Promise<string> {
  const id = await sign(db, appealId, email, options);
  assert.equal(await confirmAndCount(db, id), true);
  return id;
}

/** The counts a visitor sees, checked against a recount from the signatures themselves. */
async function exactCounts(db: Database, appealId: string, when: string) {
  const counts = await getSignatureCounts(db, appealId);
  assert.deepEqual(counts, await recountSignatures(db, appealId), `the counts agree with a recount ${when}`);
  return counts;
}

async function publicNames(db: Database, appealId: string): Promise<string[]> {
  return (await listPublicSigners(db, appealId, { limit: 100 })).signers.map((signer) => signer.fullName);
}

function criteria(raw: Record<string, string>): BulkCriteria {
  const read = readBulkCriteria(raw);
  assert.ok(read.ok, JSON.stringify(read));
  return read.criteria;
}

describe("moderation", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  test("hiding takes a name off the public list and keeps it counted; showing puts it back", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const troll = await signAndConfirm(t.db, appeal.id, "troll@example.org", { name: "Offensive Name" });
    await signAndConfirm(t.db, appeal.id, "ana@example.org", { name: "Ana" });
    assert.deepEqual(await exactCounts(t.db, appeal.id, "before"), { confirmed: 2, listed: 2 });

    assert.equal(await moderateSignature(t.db, editor, appeal.id, troll, "hide"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after hiding"), { confirmed: 2, listed: 1 });
    assert.deepEqual(await publicNames(t.db, appeal.id), ["Ana"]);
    assert.equal(await moderateSignature(t.db, editor, appeal.id, troll, "hide"), false, "hiding twice changes nothing");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after hiding twice"), { confirmed: 2, listed: 1 });

    assert.equal(await moderateSignature(t.db, editor, appeal.id, troll, "show"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after showing"), { confirmed: 2, listed: 2 });
    assert.deepEqual((await publicNames(t.db, appeal.id)).sort(), ["Ana", "Offensive Name"]);

    const audit = await t.db.auditEvent.findMany({ where: { appealId: appeal.id }, orderBy: { id: "asc" } });
    assert.deepEqual(audit.map((event) => [event.action, event.actorName, event.subject, event.details]), [
      ["signature.hidden", "Ed Editor <ed@example.org>", troll, { count: 1 }],
      ["signature.shown", "Ed Editor <ed@example.org>", troll, { count: 1 }],
    ]);

    // A hidden signature withdrawn by its signer leaves the confirmed count only: it was not listed.
    await moderateSignature(t.db, editor, appeal.id, troll, "hide");
    await withdrawSignature(t.db, await createWithdrawalToken(t.db, troll), "en");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after a hidden one was withdrawn"), { confirmed: 1, listed: 1 });
  });

  test("the audit log names the signer acted on while the name exists, not after a withdrawal, and no bulk action's id", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const troll = await signAndConfirm(t.db, appeal.id, "troll@example.org", { name: "Troll McTrollface" });
    const bot = await signAndConfirm(t.db, appeal.id, "bot@spam.example", { name: "Spam Bot" });
    await moderateSignature(t.db, editor, appeal.id, troll, "hide");
    await moderateSignature(t.db, editor, appeal.id, bot, "invalidate");
    await moderateSignature(t.db, editor, appeal.id, bot, "restore");
    await applyBulkInvalidation(t.db, editor, appeal.id, criteria({ domain: "spam.example" }), new Date());
    const subjects = async () => (await listAuditEvents(t.db, { limit: 10 })).events.map((event) => [event.action, event.subject]);
    assert.deepEqual(await subjects(), [
      ["signatures.invalidated", null],
      ["signature.restored", { kind: "signature", fullName: "Spam Bot" }],
      ["signature.invalidated", { kind: "signature", fullName: "Spam Bot" }],
      ["signature.hidden", { kind: "signature", fullName: "Troll McTrollface" }],
    ]);

    // The log stores the signature's id, never the name: once withdrawn, no entry can name the signer.
    await withdrawSignature(t.db, await createWithdrawalToken(t.db, troll), "en");
    assert.deepEqual((await subjects()).at(-1), ["signature.hidden", { kind: "signature", fullName: null }]);
    const stored = await t.db.auditEvent.findMany({ select: { subject: true, details: true } });
    assert.ok(!JSON.stringify(stored).includes("Troll"), "no name in the stored entries");
  });

  test("invalidating stops a signature counting (not CONFIRMED any more); restoring counts it again", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const other = await createTestAppeal(t.db);
    const bot = await signAndConfirm(t.db, appeal.id, "bot@example.org", { name: "Bot" });
    const unlisted = await signAndConfirm(t.db, appeal.id, "quiet@example.org", { listed: false });
    await signAndConfirm(t.db, appeal.id, "ana@example.org", { name: "Ana" });

    assert.equal(await moderateSignature(t.db, editor, other.id, bot, "invalidate"), false, "only through its own appeal");
    assert.equal(await moderateSignature(t.db, editor, appeal.id, bot, "invalidate"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after invalidating a listed one"), { confirmed: 2, listed: 1 });
    const stored = await t.db.signature.findUniqueOrThrow({ where: { id: bot }, select: { status: true, invalidatedFrom: true } });
    assert.deepEqual(stored, { status: "INVALIDATED", invalidatedFrom: "CONFIRMED" }, "updates to signers go only to CONFIRMED ones");
    assert.deepEqual(await publicNames(t.db, appeal.id), ["Ana"]);
    assert.equal(await moderateSignature(t.db, editor, appeal.id, bot, "invalidate"), false);

    assert.equal(await moderateSignature(t.db, editor, appeal.id, unlisted, "invalidate"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after invalidating an unlisted one"), { confirmed: 1, listed: 1 });

    // Hidden while invalidated, then restored: it counts again but stays off the list.
    assert.equal(await moderateSignature(t.db, editor, appeal.id, bot, "hide"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after hiding an invalidated one"), { confirmed: 1, listed: 1 });
    assert.equal(await moderateSignature(t.db, editor, appeal.id, bot, "restore"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after restoring a hidden one"), { confirmed: 2, listed: 1 });
    assert.equal(await moderateSignature(t.db, editor, appeal.id, bot, "show"), true);
    assert.equal(await moderateSignature(t.db, editor, appeal.id, unlisted, "restore"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after restoring both"), { confirmed: 3, listed: 2 });
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: bot } })).status, "CONFIRMED");
    assert.equal(await moderateSignature(t.db, editor, appeal.id, "not-a-uuid", "hide"), false, "a made-up id changes nothing and reaches no query");
  });

  test("a pending signature invalidated and confirmed later does not count; the person sees the usual success page", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const pending = await sign(t.db, appeal.id, "late@example.org");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const email = (await inbox.messages()).find((message) => message.to === "late@example.org");
    assert.ok(email);

    assert.equal(await moderateSignature(t.db, editor, appeal.id, pending, "invalidate"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after invalidating a pending one"), { confirmed: 0, listed: 0 });
    const confirmed = await confirmSignature(t.db, confirmationToken(email), "en");
    assert.equal(confirmed?.confirmed, true, "the success page, as for anyone");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the invalidated one confirmed"), { confirmed: 0, listed: 0 });
    assert.equal((await confirmSignature(t.db, confirmationToken(email), "en"))?.confirmed, true, "pressing again shows the same");

    assert.equal(await moderateSignature(t.db, editor, appeal.id, pending, "restore"), true);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after restoring: it was confirmed meanwhile"), { confirmed: 1, listed: 1 });
  });

  test("bulk invalidation: the match is counted first, applied as one action, and undone as a whole", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const spam = [];
    for (let index = 0; index < 5; index++) spam.push(await signAndConfirm(t.db, appeal.id, `bot${index}@spam.example`, { name: `Bot ${index}` }));
    spam.push(await signAndConfirm(t.db, appeal.id, "bot@mail.spam.example", { listed: false }));
    const pendingSpam = await sign(t.db, appeal.id, "pending@spam.example");
    await signAndConfirm(t.db, appeal.id, "person@notspam.example", { name: "Person" });
    await signAndConfirm(t.db, appeal.id, "spam.example@example.org", { name: "Lookalike" });
    const before = await exactCounts(t.db, appeal.id, "before");
    assert.deepEqual(before, { confirmed: 8, listed: 7 });

    const bySpamDomain = criteria({ domain: "@Spam.Example", network: "", from: "", to: "" });
    const preview = await previewBulkInvalidation(t.db, appeal.id, bySpamDomain);
    assert.deepEqual({ confirmed: preview.confirmed, pending: preview.pending }, { confirmed: 6, pending: 1 });
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the preview"), before, "the preview changes nothing");

    // One restored by hand before the undo, one withdrawn by its signer: the undo leaves both.
    const late = await signAndConfirm(t.db, appeal.id, "late@spam.example", { name: "Late Bot" });
    const applied = await applyBulkInvalidation(t.db, editor, appeal.id, bySpamDomain, preview.asOf);
    assert.equal(applied?.invalidated, 7, "not the one that signed after the preview");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the bulk invalidation"), { confirmed: 3, listed: 3 });
    assert.deepEqual((await publicNames(t.db, appeal.id)).sort(), ["Late Bot", "Lookalike", "Person"]);
    assert.equal((await previewBulkInvalidation(t.db, appeal.id, bySpamDomain)).confirmed, 1, "only the late one is left to match");

    assert.equal(await moderateSignature(t.db, editor, appeal.id, spam[0]!, "restore"), true);
    await withdrawSignature(t.db, await createWithdrawalToken(t.db, spam[1]!), "en");
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after a hand restore and a withdrawal"), { confirmed: 4, listed: 4 });

    assert.ok(applied);
    assert.equal(await undoBulkInvalidation(t.db, editor, appeal.id, applied.actionId), 5);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after the undo"), { confirmed: 8, listed: 7 });
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: spam[1]! } })).status, "WITHDRAWN");
    assert.equal((await t.db.signature.findUniqueOrThrow({ where: { id: pendingSpam } })).status, "PENDING");
    assert.equal(await undoBulkInvalidation(t.db, editor, appeal.id, applied.actionId), null, "an undo cannot be repeated");
    assert.ok(late);

    const [action] = await listBulkInvalidations(t.db, appeal.id);
    assert.deepEqual(
      { criteria: action?.criteria, invalidated: action?.invalidated, restored: action?.restored, undoneBy: action?.undoneBy, undone: Boolean(action?.undoneAt) },
      { criteria: { emailDomain: "spam.example", network: null, from: null, to: null }, invalidated: 7, restored: 5, undoneBy: "Ed Editor <ed@example.org>", undone: true },
    );
    const audit = await t.db.auditEvent.findMany({ where: { appealId: appeal.id }, orderBy: { id: "asc" }, select: { action: true, details: true } });
    assert.deepEqual(audit.map((event) => [event.action, (event.details as { count: number }).count]), [
      ["signatures.invalidated", 7],
      ["signature.restored", 1],
      ["signatures.invalidation-undone", 5],
    ]);

    assert.equal(await applyBulkInvalidation(t.db, editor, appeal.id, criteria({ domain: "nobody.example" }), new Date()), null, "nothing matched, nothing recorded");
    assert.equal((await listBulkInvalidations(t.db, appeal.id)).length, 1);
  });

  test("bulk invalidation by network range (IPv4 and IPv6) and by time window, to the minute", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    await signAndConfirm(t.db, appeal.id, "a@example.org", { networkAddress: "192.0.2.10", createdAt: new Date("2026-03-01T14:01:59Z") });
    await signAndConfirm(t.db, appeal.id, "b@example.org", { networkAddress: "192.0.2.200", createdAt: new Date("2026-03-01T14:02:00Z") });
    await signAndConfirm(t.db, appeal.id, "c@example.org", { networkAddress: "2001:db8:dead:1::5", createdAt: new Date("2026-03-01T14:10:59Z") });
    await signAndConfirm(t.db, appeal.id, "d@example.org", { networkAddress: "198.51.100.1", createdAt: new Date("2026-03-01T14:11:00Z") });
    const count = async (raw: Record<string, string>) => {
      const preview = await previewBulkInvalidation(t.db, appeal.id, criteria(raw));
      return preview.confirmed + preview.pending;
    };
    assert.equal(await count({ network: "192.0.2.0/24" }), 2);
    assert.equal(await count({ network: "192.0.2.10" }), 1, "a single address matches only itself");
    assert.equal(await count({ network: "2001:db8:dead::/48" }), 1);
    assert.equal(await count({ from: "2026-03-01T14:02", to: "2026-03-01T14:10" }), 2, "both minutes included");
    assert.equal(await count({ network: "192.0.2.0/24", from: "2026-03-01T14:02" }), 1, "criteria combine");

    const applied = await applyBulkInvalidation(t.db, editor, appeal.id, criteria({ network: "192.0.2.0/24" }), new Date());
    assert.equal(applied?.invalidated, 2);
    assert.deepEqual(await exactCounts(t.db, appeal.id, "after invalidating a range"), { confirmed: 2, listed: 2 });

    for (const [raw, field] of [
      [{}, "domain"],
      [{ network: "300.1.1.1" }, "network"],
      [{ domain: "not a domain" }, "domain"],
      [{ from: "2026-02-30T10:00" }, "from"],
      [{ from: "2026-03-02T10:00", to: "2026-03-01T10:00" }, "to"],
    ] as const) {
      const read = readBulkCriteria(raw);
      assert.ok(!read.ok && read.fieldErrors[field], `${JSON.stringify(raw)} is refused on ${field}`);
    }
  });

  test("the signatures table filters by state, text, days, domain and network, and pages newest first without gaps or repeats", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const ids: string[] = [];
    for (let index = 0; index < 23; index++) {
      const email = index % 3 === 0 ? `p${index}@bots.example` : `p${index}@people.example`;
      const createdAt = new Date(Date.UTC(2026, 2, 1 + (index % 4), 12, 0, index));
      const id = index % 5 === 0 ? await sign(t.db, appeal.id, email, { createdAt, networkAddress: `198.51.100.${index}` }) : await signAndConfirm(t.db, appeal.id, email, { createdAt, name: index === 7 ? "Zoë O'Brien" : `Person ${index}`, networkAddress: `198.51.100.${index}` });
      ids.push(id);
    }
    await moderateSignature(t.db, editor, appeal.id, ids[1]!, "hide");
    await moderateSignature(t.db, editor, appeal.id, ids[2]!, "invalidate");
    // Two more collected on paper, imported from a sheet.
    const sheet = "name,city,country,date_collected\nGreta Paper,Ghent,BE,2026-03-02\nPaul Paper,Lyon,FR,2026-03-02\n";
    const staged = await stagePaperImport(t.db, editor, appeal.id, { fileName: "market stall.csv", bytes: new TextEncoder().encode(sheet) }, new Date("2026-03-05T12:00:00Z"));
    assert.ok(staged.ok, JSON.stringify(staged));
    assert.ok((await applyPaperImport(t.db, editor, appeal.id, staged.importId)).ok);

    const all = async (filters: SignatureFilters) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await listSignaturesForModeration(t.db, appeal.id, filters, { cursor, limit: 5 });
        seen.push(...page.signatures.map((row) => row.id));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const everything = await all(noSignatureFilters);
    assert.equal(everything.length, 25);
    assert.equal(new Set(everything).size, 25, "no repeats across pages");
    const created = await t.db.signature.findMany({ where: { appealId: appeal.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } });
    assert.deepEqual(everything, created.map((row) => row.id), "newest first");

    const filtered = async (query: string) => {
      const read = readSignatureFilters(new URLSearchParams(query));
      assert.deepEqual(read.fieldErrors, {}, query);
      return (await all(read.filters)).sort();
    };
    assert.equal((await filtered("state=pending")).length, 5);
    assert.deepEqual(await filtered("state=hidden"), [ids[1]!]);
    assert.deepEqual(await filtered("state=invalidated"), [ids[2]!]);
    assert.equal((await filtered("state=confirmed")).length, 19, "17 online and the 2 from paper");
    assert.deepEqual(await filtered("q=o%27brien"), [ids[7]!], "in names, any case, with an apostrophe");
    assert.equal((await filtered("q=bots.example")).length, 8, "in email addresses");
    assert.deepEqual(await filtered("q=%25"), [], "% is a character, not a wildcard");
    assert.equal((await filtered("domain=bots.example")).length, 8);
    assert.deepEqual(await filtered("network=198.51.100.7"), [ids[7]!]);
    assert.equal((await filtered("network=198.51.100.0/28")).length, 16);
    assert.equal((await filtered("from=2026-03-02&to=2026-03-03")).length, 12, "both days included");
    assert.equal((await filtered("from=2026-03-04&domain=bots.example&state=confirmed")).length, 1);
    const onPaper = await filtered("source=paper");
    assert.equal(onPaper.length, 2, "the two from the sheet");
    assert.ok(onPaper.every((id) => !ids.includes(id)));
    assert.deepEqual(await filtered("source=online"), [...ids].sort(), "everything signed on the site");
    assert.equal((await filtered("source=paper&state=confirmed")).length, 2);
    const paperRows = (await listSignaturesForModeration(t.db, appeal.id, readSignatureFilters(new URLSearchParams("source=paper")).filters, { limit: 5 })).signatures;
    assert.deepEqual(paperRows.map((row) => [row.fullName, row.paperFileName, row.networkAddress]).sort(), [
      ["Greta Paper", "market stall.csv", null],
      ["Paul Paper", "market stall.csv", null],
    ], "each says which file it came in");
    assert.ok((await listSignaturesForModeration(t.db, appeal.id, noSignatureFilters, { limit: 30 })).signatures.filter((row) => ids.includes(row.id)).every((row) => row.paperFileName === null));

    for (const [query, field] of [
      ["state=deleted", "state"],
      ["from=2026-13-01", "from"],
      ["from=2026-03-05&to=2026-03-01", "to"],
      ["network=10.0.0.0/99", "network"],
      ["domain=a", "domain"],
      ["source=fax", "source"],
    ] as const) {
      assert.ok(readSignatureFilters(new URLSearchParams(query)).fieldErrors[field], `${query} is refused on ${field}`);
    }
    assert.deepEqual((await listSignaturesForModeration(t.db, appeal.id, noSignatureFilters, { cursor: "garbage", limit: 5 })).signatures.length, 5, "a made-up cursor starts at the top");
  });

  test("the page answers bad input with a 4xx and changes nothing: filters, made-up ids, a missing preview time, an unknown intent", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const signature = await signAndConfirm(t.db, appeal.id, "one@example.org");
    const context = testLoadContext(t.db, t.url, { organizer: editor });
    const url = `http://localhost/organize/appeals/${appeal.id}/signatures`;
    const statusOf = async (call: () => Promise<unknown>) => {
      try {
        const result = (await call()) as { init?: { status?: number } | null };
        return result.init?.status ?? 200;
      } catch (thrown) {
        return (thrown as { init?: { status?: number } }).init?.status ?? 500;
      }
    };
    const get = (query: string) => statusOf(() => signaturesLoader({ request: new Request(`${url}?${query}`), params: { id: appeal.id }, context }));
    const post = (form: Record<string, string>) =>
      statusOf(() => signaturesAction({ request: new Request(url, { method: "POST", body: new URLSearchParams(form) }), params: { id: appeal.id }, context }));
    try {
      assert.equal(await get(""), 200);
      assert.equal(await get("network=10.0.0.0%2F99&state=gone"), 400);
      assert.equal(await get(`after=${"x".repeat(300)}`), 200, "a made-up cursor starts at the top");
      assert.equal(await post({ intent: "hide", signature: "'; DROP TABLE" }), 409);
      assert.equal(await post({ intent: "undo", action: "00000000-0000-0000-0000-000000000000" }), 409);
      assert.equal(await post({ intent: "preview", bulkDomain: "", bulkNetwork: "", bulkFrom: "", bulkTo: "" }), 400);
      assert.equal(await post({ intent: "apply", bulkDomain: "example.org", asOf: "yesterday" }), 400);
      assert.equal(await post({ intent: "explode" }), 400);
      assert.deepEqual(await exactCounts(t.db, appeal.id, "after bad input"), { confirmed: 1, listed: 1 });
      assert.equal(await post({ intent: "invalidate", signature }), 200);
      assert.deepEqual(await exactCounts(t.db, appeal.id, "after an invalidation through the page"), { confirmed: 0, listed: 0 });
    } finally {
      await context.close();
    }
  });

  test("a bulk invalidation and a batch of confirmations meeting on the same signatures in opposite orders both finish", async () => {
    const editor = await anEditor(t.db);
    // Enough other signatures that PostgreSQL reads these through indexes, as in a real table:
    // the batch then meets its signatures in the order asked, and the bulk statement in the order
    // of an index. Asking in both orders makes one of them the opposite of the bulk statement's.
    const elsewhere = await createTestAppeal(t.db);
    await t.db.$executeRaw`
      INSERT INTO "Signature" (id, "appealId", "fullName", "emailCanonical", status)
      SELECT gen_random_uuid(), ${elsewhere.id}::uuid, 'Someone else', 'someone' || n || '@elsewhere.example', 'CONFIRMED'
      FROM generate_series(1, 5000) AS n`;
    await t.db.$executeRaw`ANALYZE "Signature"`;

    // Someone else holds one of the signatures for a moment, so both statements queue behind it.
    // Another connection watches them queue: a transaction sees pg_stat_activity as it was when it began.
    const holder = new pg.Client({ connectionString: t.url });
    const watcher = new pg.Client({ connectionString: t.url });
    await Promise.all([holder.connect(), watcher.connect()]);
    // Until `count` statements wait on row locks, or one of `statements` has already ended (failed).
    const waitingOnLocks = async (count: number, ...statements: Promise<unknown>[]) => {
      let ended = false;
      for (const statement of statements) statement.then(() => (ended = true), () => (ended = true));
      while (!ended) {
        const { rows } = await watcher.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (rows[0]!.waiting >= count) return;
        await setTimeout(10);
      }
    };
    try {
      for (const batchOrder of ["higher id first", "lower id first"]) {
        const appeal = await createTestAppeal(t.db);
        const [lower, higher] = [await sign(t.db, appeal.id, "one@wave.example"), await sign(t.db, appeal.id, "two@wave.example")].sort() as [string, string];
        const asked = batchOrder === "higher id first" ? [higher, lower] : [lower, higher];
        // Held: the signature both statements would lock second, if they went in opposite orders.
        await holder.query("BEGIN");
        await holder.query('SELECT id FROM "Signature" WHERE id = $1 FOR UPDATE', [asked[1]]);
        const bulk = applyBulkInvalidation(t.db, editor, appeal.id, criteria({ domain: "wave.example" }), new Date());
        await waitingOnLocks(1, bulk);
        const batch = confirmManyAndCount(t.db, asked.map((signatureId) => ({ signatureId, withdrawalLink: null })));
        await waitingOnLocks(2, bulk, batch);
        await holder.query("ROLLBACK");

        const [bulkOutcome, batchOutcome] = await Promise.allSettled([bulk, batch]);
        assert.equal(bulkOutcome.status, "fulfilled", `${batchOrder}: the organizer's bulk invalidation failed: ${String((bulkOutcome as PromiseRejectedResult).reason)}`);
        assert.equal(batchOutcome.status, "fulfilled", `${batchOrder}: the confirmations failed: ${String((batchOutcome as PromiseRejectedResult).reason)}`);
        assert.equal(bulkOutcome.value?.invalidated, 2, `${batchOrder}: the bulk action, queued first, set both aside`);
        assert.deepEqual(batchOutcome.value, [false, false], `${batchOrder}: so neither was confirmed`);
        assert.deepEqual(await exactCounts(t.db, appeal.id, `after both (${batchOrder})`), { confirmed: 0, listed: 0 });
      }
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
  });

  test("a bulk invalidation does not wait for a link being stored for one of its signatures at that moment", async () => {
    const editor = await anEditor(t.db);
    const appeal = await createTestAppeal(t.db);
    const signatureId = await signAndConfirm(t.db, appeal.id, "one@wave.example");
    // Another transaction stores a link for the signature and has not committed yet: its
    // foreign-key check holds a KEY SHARE lock on the signature's row.
    const holder = new pg.Client({ connectionString: t.url });
    const watcher = new pg.Client({ connectionString: t.url });
    await Promise.all([holder.connect(), watcher.connect()]);
    try {
      await holder.query("BEGIN");
      await holder.query(`INSERT INTO "SignatureToken" ("tokenHash", "signatureId", purpose, "expiresAt") VALUES ($1, $2, 'UNSUBSCRIBE', now() + interval '1 day')`, [Buffer.alloc(32, 7), signatureId]);
      const bulk = applyBulkInvalidation(t.db, editor, appeal.id, criteria({ domain: "wave.example" }), new Date());
      let ended = false;
      void bulk.then(() => (ended = true), () => (ended = true));
      while (!ended) {
        const { rows } = await watcher.query<{ waiting: number }>("SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        assert.equal(rows[0]!.waiting, 0, "the bulk invalidation waits on the uncommitted link");
        await setTimeout(10);
      }
      assert.equal((await bulk)?.invalidated, 1);
      await holder.query("COMMIT");
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
  });

  test("property: any sequence of moderation, bulk actions, undos, confirmations and withdrawals keeps the counts exact", async () => {
    const editor = await anEditor(t.db);
    const domains = ["a.example", "b.example"];
    const step = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant("single" as const), change: fc.constantFrom<ModerationChange>("hide", "show", "invalidate", "restore"), signer: fc.nat(3) }), weight: 3 },
      fc.record({ kind: fc.constant("confirm" as const), signer: fc.nat(3) }),
      fc.record({ kind: fc.constant("withdraw" as const), signer: fc.nat(3) }),
      fc.record({ kind: fc.constant("bulk" as const), domain: fc.constantFrom(...domains) }),
      fc.record({ kind: fc.constant("undo" as const), which: fc.nat(3) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ listed: fc.boolean(), confirmed: fc.boolean() }), { minLength: 4, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 20 }), async (start, steps) => {
        const appeal = await createTestAppeal(t.db);
        const signers = [];
        for (const [index, signer] of start.entries()) {
          signers.push(await (signer.confirmed ? signAndConfirm : sign)(t.db, appeal.id, `s${index}@${domains[index % 2]}`, { listed: signer.listed }));
        }
        const actions: string[] = [];
        for (const [position, action] of steps.entries()) {
          if (action.kind === "single") await moderateSignature(t.db, editor, appeal.id, signers[action.signer]!, action.change);
          if (action.kind === "confirm") await confirmAndCount(t.db, signers[action.signer]!);
          if (action.kind === "withdraw") await withdrawSignature(t.db, await createWithdrawalToken(t.db, signers[action.signer]!), "en");
          if (action.kind === "bulk") {
            const applied = await applyBulkInvalidation(t.db, editor, appeal.id, criteria({ domain: action.domain }), new Date());
            if (applied) actions.push(applied.actionId);
          }
          if (action.kind === "undo" && actions.length > 0) await undoBulkInvalidation(t.db, editor, appeal.id, actions[action.which % actions.length]!);
          await exactCounts(t.db, appeal.id, `after step ${position + 1} (${JSON.stringify(action)})`);
        }
        const listedNames = (await listPublicSigners(t.db, appeal.id, { limit: 100 })).signers.length;
        assert.equal(listedNames, (await getSignatureCounts(t.db, appeal.id)).listed, "the public list holds as many as the listed count says");
      }),
      { numRuns: 50 },
    );
  });
});
