/**
 * Organizer accounts against real Postgres and a real SMTP server: passwords, sign-in and its
 * throttle, sessions and their timeouts, links to set or reset a password, invitations,
 * removal, and the audit log.
 *
 *   node --import tsx --test tests/organizer-accounts.test.ts
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { listAuditEvents } from "~/domain/audit";
import {
  createOrganizerFromCommandLine,
  findPasswordLink,
  inviteOrganizer,
  passwordLinkLifetimes,
  removeOrganizer,
  requestPasswordReset,
  setPasswordWithLink,
  signIn,
} from "~/domain/organizer-accounts.server";
import { endSession, findSession, startSession } from "~/domain/organizer-sessions";
import type { SignedInOrganizer } from "~/domain/organizers";
import { passwordProblem } from "~/domain/passwords.server";
import { createSignInThrottle } from "~/domain/sign-in-throttle";
import { useDatabasePerTest, type TestDatabase } from "./support/database";
import { deliverQueuedEmail, useInbox } from "./support/mail";

const lifetimes = { idleMs: 2 * 3_600_000, absoluteMs: 24 * 3_600_000 };
const goodPassword = "violet tractor umbrella";

function tokenFromLink(linkPath: string): string {
  const token = /\/password\/([A-Za-z0-9_-]{43})$/.exec(linkPath)?.[1];
  if (!token) throw new Error(`no token in ${linkPath}`);
  return token;
}

async function organizerWithPassword(t: TestDatabase, email: string, role: "owner" | "editor" = "owner"): Promise<SignedInOrganizer> {
  const created = await createOrganizerFromCommandLine(t.db, { email, name: `Person ${email}`, role });
  assert.ok(created.ok);
  const set = await setPasswordWithLink(t.db, tokenFromLink(created.linkPath), { password: goodPassword, confirmation: goodPassword }, lifetimes);
  assert.ok(set.ok);
  return set.organizer;
}

describe("passwords", () => {
  test("12 to 128 characters, none of the most common, none built from the person's name or email", async () => {
    const person = { email: "jane.doe@example.org", name: "Jane Doe" };
    assert.equal(await passwordProblem("short pass", person), "errors.passwordTooShort");
    assert.equal(await passwordProblem("x".repeat(129), person), "errors.passwordTooLong");
    assert.equal(await passwordProblem("qwerty123456", person), "errors.passwordCommon");
    assert.equal(await passwordProblem("password1234", person), "errors.passwordCommon");
    assert.equal(await passwordProblem("aaaaaaaaaaaaaaaa", person), "errors.passwordCommon");
    assert.equal(await passwordProblem("janedoe2026!", person), "errors.passwordPersonal");
    assert.equal(await passwordProblem(goodPassword, person), null);
    assert.equal(await passwordProblem("Қазақ тілі бай және әдемі", person), null, "any script counts, by characters");
  });
});

describe("organizer accounts", () => {
  const t = useDatabasePerTest();
  const inbox = useInbox();

  test("the command line makes an owner with no password and a one-time link, stored only as its SHA-256", async () => {
    const created = await createOrganizerFromCommandLine(t.db, { email: "First@Example.org ", name: "Fatima First" });
    assert.ok(created.ok);
    const token = tokenFromLink(created.linkPath);
    const organizer = await t.db.organizer.findUniqueOrThrow({ where: { emailCanonical: "first@example.org" } });
    assert.equal(organizer.role, "OWNER");
    assert.equal(organizer.passwordHash, null);
    const [stored] = await t.db.$queryRaw<{ hash: string; expiresInHours: number }[]>`
      SELECT encode("tokenHash", 'hex') AS hash, extract(epoch FROM "expiresAt" - now()) / 3600 AS "expiresInHours" FROM "OrganizerToken"`;
    assert.equal(stored?.hash, createHash("sha256").update(token, "utf8").digest("hex"));
    assert.ok(Math.abs(Number(stored?.expiresInHours) - passwordLinkLifetimes.commandLine / 3_600_000) < 0.1);
    const again = await createOrganizerFromCommandLine(t.db, { email: "first@example.org", name: "Someone Else" });
    assert.deepEqual(!again.ok && again.fieldErrors.email, { id: "errors.organizerExists" });
  });

  test("setting the password from the link: argon2id (19 MiB, t=2, p=1), signed in, and the link works once", async () => {
    const created = await createOrganizerFromCommandLine(t.db, { email: "ada@example.org", name: "Ada Lovelace" });
    assert.ok(created.ok);
    const token = tokenFromLink(created.linkPath);
    assert.deepEqual(await findPasswordLink(t.db, token), { purpose: "SET_PASSWORD", name: "Ada Lovelace", email: "ada@example.org" });

    const weak = await setPasswordWithLink(t.db, token, { password: "qwerty123456", confirmation: "qwerty123456" }, lifetimes);
    assert.deepEqual(!weak.ok && "fieldErrors" in weak && weak.fieldErrors.password?.id, "errors.passwordCommon");
    const mismatch = await setPasswordWithLink(t.db, token, { password: goodPassword, confirmation: "violet tractor umbrela" }, lifetimes);
    assert.deepEqual(!mismatch.ok && "fieldErrors" in mismatch && mismatch.fieldErrors.confirmation?.id, "errors.passwordsDiffer");

    const set = await setPasswordWithLink(t.db, token, { password: goodPassword, confirmation: goodPassword }, lifetimes);
    assert.ok(set.ok);
    const { passwordHash } = await t.db.organizer.findUniqueOrThrow({ where: { emailCanonical: "ada@example.org" } });
    assert.match(passwordHash ?? "", /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal((await findSession(t.db, set.session.token, lifetimes))?.organizer.email, "ada@example.org");

    const second = await setPasswordWithLink(t.db, token, { password: "another long passphrase", confirmation: "another long passphrase" }, lifetimes);
    assert.deepEqual(second, { ok: false, invalidLink: true });
    assert.equal(await findPasswordLink(t.db, token), null);
  });

  test("a link pressed twice at once (two tabs) sets the password once", async () => {
    const created = await createOrganizerFromCommandLine(t.db, { email: "twice@example.org", name: "Tab Twice" });
    assert.ok(created.ok);
    const token = tokenFromLink(created.linkPath);
    const outcomes = await Promise.all(
      ["first passphrase here", "second passphrase here"].map((password) => setPasswordWithLink(t.db, token, { password, confirmation: password }, lifetimes)),
    );
    assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
    assert.equal(await t.db.organizerSession.count(), 1);
  });

  test("a wrong password and an unknown address get the same answer; five failures from one address make it wait there, audited once", async () => {
    await organizerWithPassword(t, "owner@example.org");
    const throttle = createSignInThrottle(t.db, "test-secret", { perAccountAndAddress: 5, perAccount: 8, perAddress: 50, windowSeconds: 900 });
    const attempt = (email: string, password: string, clientAddress = "203.0.113.7") => signIn(t.db, throttle, { email, password, clientAddress }, lifetimes);
    const throttledEntries = async () => (await listAuditEvents(t.db, { limit: 50 })).events.filter((event) => event.action === "sign-in.throttled");

    assert.deepEqual(await attempt("owner@example.org", "not the password at all"), { ok: false, reason: "invalid" });
    assert.deepEqual(await attempt("nobody@example.org", "not the password at all"), { ok: false, reason: "invalid" });
    const signedIn = await attempt("OWNER@example.org", goodPassword);
    assert.ok(signedIn.ok, "a success forgives the failures before it");

    for (let failure = 0; failure < 5; failure++) assert.deepEqual(await attempt("owner@example.org", `wrong ${failure}`), { ok: false, reason: "invalid" });
    for (let refused = 0; refused < 3; refused++) {
      const locked = await attempt("owner@example.org", goodPassword);
      assert.equal(!locked.ok && locked.reason, "throttled", "even the right password waits, from that address");
      assert.ok(!locked.ok && locked.reason === "throttled" && locked.retryAfterSeconds > 0 && locked.retryAfterSeconds <= 900);
    }
    const entries = await throttledEntries();
    assert.equal(entries.length, 1, "one entry for the window, not one per refused attempt");
    assert.deepEqual(entries[0]!.subject, { kind: "text", text: "owner@example.org" });

    // Whoever guessed from there cannot lock the organizer out: from her own address she signs in.
    assert.ok((await attempt("owner@example.org", goodPassword, "192.0.2.99")).ok);
  });

  test("an IPv6 network counts as one address: a new address from the same /64 for every guess does not help", async () => {
    await organizerWithPassword(t, "six@example.org");
    const throttle = createSignInThrottle(t.db, "test-secret", { perAccountAndAddress: 5, perAccount: 50, perAddress: 50, windowSeconds: 900 });
    const attempt = (password: string, clientAddress: string) => signIn(t.db, throttle, { email: "six@example.org", password, clientAddress }, lifetimes);
    for (let guess = 1; guess <= 5; guess++) assert.deepEqual(await attempt(`wrong guess ${guess}`, `2001:db8:1:2::${guess}`), { ok: false, reason: "invalid" });
    const next = await attempt(goodPassword, "2001:db8:1:2:aaaa::99");
    assert.equal(!next.ok && next.reason, "throttled");
    assert.ok((await attempt(goodPassword, "2001:db8:1:3::1")).ok, "another network is not held");
  });

  test("guesses spread over many addresses are held to the account's own limit, which the organizer's own sign-in does not reset", async () => {
    await organizerWithPassword(t, "spread@example.org");
    const throttle = createSignInThrottle(t.db, "test-secret", { perAccountAndAddress: 5, perAccount: 8, perAddress: 50, windowSeconds: 900 });
    const guess = async (failure: number) =>
      assert.deepEqual(await signIn(t.db, throttle, { email: "spread@example.org", password: `wrong ${failure}`, clientAddress: `198.51.100.${failure}` }, lifetimes), { ok: false, reason: "invalid" });
    for (let failure = 0; failure < 5; failure++) await guess(failure);
    // The organizer signing in meanwhile does not wipe the guesser's count, only her own attempt.
    assert.ok((await signIn(t.db, throttle, { email: "spread@example.org", password: goodPassword, clientAddress: "192.0.2.1" }, lifetimes)).ok);
    for (let failure = 5; failure < 8; failure++) await guess(failure);
    const next = await signIn(t.db, throttle, { email: "spread@example.org", password: goodPassword, clientAddress: "192.0.2.1" }, lifetimes);
    assert.equal(!next.ok && next.reason, "throttled");
  });

  test("a burst of guesses sent at once gets no more tries than the limit", async () => {
    await organizerWithPassword(t, "burst@example.org");
    const throttle = createSignInThrottle(t.db, "test-secret", { perAccountAndAddress: 5, perAccount: 50, perAddress: 50, windowSeconds: 900 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, guess) => signIn(t.db, throttle, { email: "burst@example.org", password: `guess number ${guess}`, clientAddress: "203.0.113.66" }, lifetimes)),
    );
    assert.equal(outcomes.filter((outcome) => !outcome.ok && outcome.reason === "invalid").length, 5, "five passwords checked");
    assert.equal(outcomes.filter((outcome) => !outcome.ok && outcome.reason === "throttled").length, 15);
    assert.equal((await listAuditEvents(t.db, { limit: 50 })).events.filter((event) => event.action === "sign-in.throttled").length, 1);
  });

  test("failures from one address are throttled across accounts", async () => {
    const throttle = createSignInThrottle(t.db, "test-secret", { perAccountAndAddress: 100, perAccount: 100, perAddress: 3, windowSeconds: 900 });
    for (let failure = 0; failure < 3; failure++) {
      await signIn(t.db, throttle, { email: `guess${failure}@example.org`, password: "x".repeat(12), clientAddress: "203.0.113.50" }, lifetimes);
    }
    const next = await signIn(t.db, throttle, { email: "another@example.org", password: "x".repeat(12), clientAddress: "203.0.113.50" }, lifetimes);
    assert.equal(!next.ok && next.reason, "throttled");
    const elsewhere = await signIn(t.db, throttle, { email: "another@example.org", password: "x".repeat(12), clientAddress: "203.0.113.51" }, lifetimes);
    assert.equal(!elsewhere.ok && elsewhere.reason, "invalid");

    // None of the addresses typed is an organizer's: the log says so and keeps none of them.
    const entries = (await listAuditEvents(t.db, { limit: 50 })).events.filter((event) => event.action === "sign-in.throttled");
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.subject, null);
    assert.deepEqual(entries[0]!.details, { account: "none", retryAfterSeconds: entries[0]!.details.retryAfterSeconds });
    const [stored] = await t.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "AuditEvent" WHERE row_to_json("AuditEvent")::text ILIKE '%example.org%' AND action = 'sign-in.throttled'`;
    assert.equal(stored?.n, 0, "no address typed at the form is stored");
  });

  test("sessions end when idle too long, at their absolute limit, and on sign-out; only the token's hash is stored", async () => {
    const organizer = await organizerWithPassword(t, "sessions@example.org");
    const session = await startSession(t.db, organizer.id, lifetimes);
    const [row] = await t.db.$queryRaw<{ hash: string }[]>`SELECT encode("tokenHash", 'hex') AS hash FROM "OrganizerSession" WHERE "organizerId" = ${organizer.id}::uuid ORDER BY "createdAt" DESC LIMIT 1`;
    assert.equal(row?.hash, createHash("sha256").update(session.token, "utf8").digest("hex"));

    const soon = new Date(Date.now() + lifetimes.idleMs - 60_000);
    assert.ok(await findSession(t.db, session.token, lifetimes, soon), "still valid just before the idle limit");
    // Used at `soon`, so idle time counts from there: far past the absolute limit it still ends.
    assert.equal(await findSession(t.db, session.token, lifetimes, new Date(Date.now() + lifetimes.absoluteMs + 1)), null);

    const idle = await startSession(t.db, organizer.id, lifetimes);
    assert.equal(await findSession(t.db, idle.token, lifetimes, new Date(Date.now() + lifetimes.idleMs + 1)), null);

    const active = await startSession(t.db, organizer.id, lifetimes);
    await endSession(t.db, active.token);
    assert.equal(await findSession(t.db, active.token, lifetimes), null, "signing out ends it on the server");
  });

  test("forgot password: the same for unknown addresses (nothing is sent); the link works once, for an hour; other sessions end; a notice is emailed", async () => {
    const organizer = await organizerWithPassword(t, "reset@example.org");
    const otherBrowser = await startSession(t.db, organizer.id, lifetimes);

    await requestPasswordReset(t.db, "nobody-here@example.org");
    await requestPasswordReset(t.db, "Reset@Example.org");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const messages = await inbox.messages();
    assert.equal(messages.filter((message) => message.to === "nobody-here@example.org").length, 0);
    const resetEmail = messages.find((message) => message.to === "reset@example.org" && message.subject === "Choose a new password");
    assert.ok(resetEmail, "the reset email arrived");
    assert.match(resetEmail.text, /This link works once, until [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s?[AP]M UTC:/, "the expiry is a readable date");
    const token = /\/password\/([A-Za-z0-9_-]{43})/.exec(resetEmail.text)?.[1];
    assert.ok(token);

    const [link] = await t.db.$queryRaw<{ hash: string; minutes: number }[]>`
      SELECT encode("tokenHash", 'hex') AS hash, extract(epoch FROM "expiresAt" - now()) / 60 AS minutes FROM "OrganizerToken" WHERE purpose = 'RESET_PASSWORD'`;
    assert.equal(link?.hash, createHash("sha256").update(token, "utf8").digest("hex"));
    assert.ok(Math.abs(Number(link?.minutes) - 60) < 1, "expires in an hour");

    const reset = await setPasswordWithLink(t.db, token, { password: "brand new passphrase here", confirmation: "brand new passphrase here" }, lifetimes);
    assert.ok(reset.ok);
    assert.equal(await findSession(t.db, otherBrowser.token, lifetimes), null, "the other browser is signed out");
    assert.ok(await findSession(t.db, reset.session.token, lifetimes), "this browser is signed in");
    assert.deepEqual(await setPasswordWithLink(t.db, token, { password: "yet another passphrase", confirmation: "yet another passphrase" }, lifetimes), { ok: false, invalidLink: true });

    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    assert.ok((await inbox.messages()).some((message) => message.to === "reset@example.org" && message.subject === "Your password was changed"));
    assert.ok((await listAuditEvents(t.db, { limit: 10 })).events.some((event) => event.action === "organizer.password-reset"));

    await t.db.$executeRaw`UPDATE "OrganizerToken" SET "expiresAt" = now() - interval '1 second'`;
    await requestPasswordReset(t.db, "reset@example.org");
    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const latest = (await inbox.messages()).filter((message) => message.subject === "Choose a new password").at(-1)!;
    const expiring = /\/password\/([A-Za-z0-9_-]{43})/.exec(latest.text)![1]!;
    await t.db.$executeRaw`UPDATE "OrganizerToken" SET "expiresAt" = now() - interval '1 second' WHERE "usedAt" IS NULL`;
    assert.equal(await findPasswordLink(t.db, expiring), null, "an expired link does not work");
  });

  test("an owner invites an editor through the outbox and real SMTP; the editor sets a password from the email", async () => {
    const owner = await organizerWithPassword(t, "owner2@example.org");
    assert.deepEqual(await inviteOrganizer(t.db, owner, { email: "owner2@example.org", name: "Dup", role: "EDITOR" }), { ok: false, fieldErrors: { email: { id: "errors.organizerExists" } } });
    assert.deepEqual(await inviteOrganizer(t.db, owner, { email: "editor@example.org", name: "Eddie Editor", role: "EDITOR" }), { ok: true });
    const jobs = await t.db.$queryRaw<{ payload: string }[]>`SELECT payload::text AS payload FROM graphile_worker._private_jobs`;
    assert.ok(jobs.every((job) => !/[A-Za-z0-9_-]{43}/.test(job.payload)), "the queue holds no token");

    await deliverQueuedEmail({ databaseUrl: t.url, db: t.db, smtpUrl: inbox.url });
    const invitation = (await inbox.messages()).find((message) => message.to === "editor@example.org");
    assert.ok(invitation, "the invitation arrived");
    assert.match(invitation.text, new RegExp(`${owner.name} invites you`));
    const token = /\/password\/([A-Za-z0-9_-]{43})/.exec(invitation.text)![1]!;
    const accepted = await setPasswordWithLink(t.db, token, { password: goodPassword, confirmation: goodPassword }, lifetimes);
    assert.ok(accepted.ok);
    assert.equal(accepted.organizer.role, "EDITOR");
    const actions = (await listAuditEvents(t.db, { limit: 10 })).events.map((event) => event.action);
    assert.ok(actions.includes("organizer.invited") && actions.includes("organizer.password-set"));
  });

  test("removing an organizer ends their sessions; nobody removes themselves or the last owner", async () => {
    const owner = await organizerWithPassword(t, "owner3@example.org");
    const editor = await organizerWithPassword(t, "editor3@example.org", "editor");
    const editorSession = await startSession(t.db, editor.id, lifetimes);
    assert.equal(await removeOrganizer(t.db, owner, owner.id), "self");
    assert.equal(await removeOrganizer(t.db, editor, owner.id), "lastOwner");
    assert.equal(await removeOrganizer(t.db, owner, editor.id), "removed");
    assert.equal(await findSession(t.db, editorSession.token, lifetimes), null);
    const throttle = createSignInThrottle(t.db, "test-secret");
    assert.deepEqual(await signIn(t.db, throttle, { email: "editor3@example.org", password: goodPassword, clientAddress: "203.0.113.9" }, lifetimes), { ok: false, reason: "invalid" });
    const removed = (await listAuditEvents(t.db, { limit: 10 })).events.find((event) => event.action === "organizer.removed");
    assert.deepEqual(removed?.subject, { kind: "text", text: "editor3@example.org" });
    assert.match(removed?.actorName ?? "", /owner3@example.org/);
  });

  test("the audit log is append-only: the database refuses to change or delete an entry", async () => {
    await organizerWithPassword(t, "audited@example.org");
    await assert.rejects(t.db.$executeRaw`UPDATE "AuditEvent" SET action = 'nothing happened'`, /append-only/);
    await assert.rejects(t.db.$executeRaw`DELETE FROM "AuditEvent"`, /append-only/);
    assert.ok((await listAuditEvents(t.db, { limit: 10 })).events.length > 0);
  });

  test("the audit log pages newest first without skipping or repeating an entry", async () => {
    for (let index = 0; index < 7; index++) {
      await createOrganizerFromCommandLine(t.db, { email: `paged${index}@example.org`, name: `Paged ${index}`, role: "editor" });
    }
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page = await listAuditEvents(t.db, { limit: 3, before });
      seen.push(...page.events.map((event) => (event.subject?.kind === "text" ? event.subject.text : "")));
      before = page.nextCursor;
    } while (before);
    assert.deepEqual(seen, Array.from({ length: 7 }, (_, index) => `paged${6 - index}@example.org`));
  });
});
