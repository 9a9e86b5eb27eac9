import type { MessageId } from "~/i18n/i18n";

/**
 * Organizer passwords: argon2id with OWASP's minimum (19 MiB, 2 iterations, 1 lane), 12 to 128
 * characters, and none of the ~49,000 most common passwords (the zxcvbn-ts list), nor one made
 * of a single repeated character or of the person's own email or name. Length beats
 * composition rules (NIST SP 800-63B), so there are no "one digit, one symbol" rules.
 */
// algorithm 2 is Argon2id (the package's Algorithm enum is a const enum, which isolated modules cannot read).
const argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const passwordLength = { min: 12, max: 128 } as const;

// argon2 (11 MB) and the list of common passwords (14 MB) are loaded the first time a password
// is checked: most web processes serve readers and signers and never need them.
const loadArgon2 = () => import("@node-rs/argon2");
let commonPasswords: Promise<Set<string>> | null = null;
const loadCommonPasswords = () =>
  (commonPasswords ??= import("@zxcvbn-ts/language-common").then(
    ({ dictionary }) => new Set((dictionary["passwords-common"] as string[]).map((password) => password.toLowerCase())),
  ));

export async function hashPassword(password: string): Promise<string> {
  return (await loadArgon2()).hash(password, argon2Options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const { verify } = await loadArgon2();
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a password nobody has, verified when the account does not exist, so that a wrong
 * address takes as long to refuse as a wrong password and timing tells a stranger nothing.
 */
let decoyHash: Promise<string> | null = null;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`);
  await verifyPassword(await decoyHash, password);
  return false;
}

/** Why a new password is refused, as a message id; null when it is acceptable. */
export async function passwordProblem(password: string, person: { email: string; name: string }): Promise<MessageId | null> {
  if ([...password].length < passwordLength.min) return "errors.passwordTooShort";
  if ([...password].length > passwordLength.max) return "errors.passwordTooLong";
  const lowered = password.toLowerCase();
  if ((await loadCommonPasswords()).has(lowered) || /^(.)\1+$/u.test(password)) return "errors.passwordCommon";
  const ownWords = [person.email.toLowerCase(), person.email.toLowerCase().split("@")[0] ?? "", person.name.toLowerCase().replace(/\s+/g, "")];
  if (ownWords.some((word) => word.length >= 4 && lowered.replace(/\s+/g, "").includes(word) && lowered.length - word.length < 6)) {
    return "errors.passwordPersonal";
  }
  return null;
}
