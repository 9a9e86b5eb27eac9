import { createHash, createHmac } from "node:crypto";
import { createChallenge, randomInt } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import { verify } from "altcha-lib/frameworks/shared";
import type { DatabaseOrTransaction } from "~/infra/db.server";

/**
 * Proof of work on the sign form, self-hosted with ALTCHA: no third-party service sees who
 * signs. The server hands out a challenge signed with its secret; the browser spends about half
 * a second of a desktop's time (a few seconds on an old phone) finding the answer; the server
 * checks it, its signature and its expiry, and refuses a second use of the same challenge. A
 * person barely notices; a script sending thousands of signatures pays for each one.
 *
 * Per appeal: off, always, or automatic — required only from a network address that is past
 * half of one of its limits (signing-limits.server.ts).
 */
export type ProofOfWorkMode = "OFF" | "AUTOMATIC" | "ALWAYS";

/** PBKDF2 rounds per try, and the range the answer lies in: about 2,250 tries, ≈ 0.5 s on this machine's Node. */
const difficulty = { cost: 1_000, counterFrom: 1_500, counterTo: 3_000 } as const;
export const challengeLifetimeMs = 10 * 60_000;

/** The field the widget fills with its answer. */
export const proofOfWorkField = "altcha";

function secretsFrom(appSecret: string) {
  const derive = (purpose: string) => createHmac("sha256", appSecret).update(`proof-of-work:${purpose}`).digest("hex");
  return { hmacSignatureSecret: derive("challenge"), hmacKeySignatureSecret: derive("key") };
}

export async function createProofOfWorkChallenge(appSecret: string, now = Date.now()) {
  return createChallenge({
    algorithm: "PBKDF2/SHA-256",
    cost: difficulty.cost,
    counter: randomInt(difficulty.counterFrom, difficulty.counterTo),
    deriveKey,
    expiresAt: new Date(now + challengeLifetimeMs),
    ...secretsFrom(appSecret),
  });
}

export type ProofOfWorkVerdict = "ok" | "missing" | "invalid" | "expired" | "reused";

/** Checks the widget's answer, and records its challenge so that it cannot be used again. */
export async function verifyProofOfWork(db: DatabaseOrTransaction, appSecret: string, payload: string | null | undefined): Promise<ProofOfWorkVerdict> {
  if (!payload) return "missing";
  if (payload.length > 10_000) return "invalid";
  let reused = false;
  const store = {
    get: async () => undefined,
    set: async () => undefined,
    setIfAbsent: async (challengeId: string) => {
      const fresh = await rememberChallenge(db, challengeId);
      reused = !fresh;
      return fresh;
    },
  };
  const { hmacSignatureSecret, hmacKeySignatureSecret } = secretsFrom(appSecret);
  const result = await verify(payload, deriveKey, hmacSignatureSecret, hmacKeySignatureSecret, store);
  if (result.error === null) return "ok";
  if (reused) return "reused";
  const verification = result.verification as { expired?: boolean } | null;
  return verification?.expired ? "expired" : "invalid";
}

/** True the first time a challenge is seen. Expired entries are cleared now and then. */
async function rememberChallenge(db: DatabaseOrTransaction, challengeId: string): Promise<boolean> {
  const challengeHash = new Uint8Array(createHash("sha256").update(challengeId).digest());
  // Kept a little past the challenge's own lifetime, after which the expiry check refuses it anyway.
  const expiresAt = new Date(Date.now() + challengeLifetimeMs + 60_000);
  const inserted = await db.$executeRaw`INSERT INTO "UsedChallenge" ("challengeHash", "expiresAt") VALUES (${challengeHash}, ${expiresAt}) ON CONFLICT DO NOTHING`;
  if (Math.random() < 0.01) await db.$executeRaw`DELETE FROM "UsedChallenge" WHERE "expiresAt" < now()`;
  return inserted === 1;
}
