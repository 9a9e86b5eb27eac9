import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { DatabaseOrTransaction } from "~/infra/db.server";
import { validate, type FieldErrors } from "./validation";

/**
 * An appeal's own protection settings: how much proof of work its form asks for, and its own
 * per-address limits (empty: the site's defaults, SIGN_LIMIT_PER_IP_MINUTE and _HOUR).
 */
export type ProofOfWorkMode = "OFF" | "AUTOMATIC" | "ALWAYS";
export type AppealProtection = { proofOfWork: ProofOfWorkMode; signLimitPerMinute: string; signLimitPerHour: string };

export async function getAppealProtection(db: DatabaseOrTransaction, appealId: string): Promise<AppealProtection | null> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { proofOfWork: true, signLimitPerMinute: true, signLimitPerHour: true } });
  if (!appeal) return null;
  const asText = (value: number | null) => (value === null ? "" : String(value));
  return { proofOfWork: appeal.proofOfWork, signLimitPerMinute: asText(appeal.signLimitPerMinute), signLimitPerHour: asText(appeal.signLimitPerHour) };
}

const limit = z
  .string()
  .trim()
  .refine((value) => value === "" || (/^\d{1,6}$/.test(value) && Number(value) <= 100_000), { error: "errors.limitInvalid" satisfies MessageId })
  .transform((value) => (value === "" ? null : Number(value)));

const protectionSchema = z.object({
  proofOfWork: z.enum(["OFF", "AUTOMATIC", "ALWAYS"], { error: "errors.proofOfWorkModeRequired" satisfies MessageId }),
  signLimitPerMinute: limit,
  signLimitPerHour: limit,
});

export async function saveAppealProtection(db: DatabaseOrTransaction, appealId: string, raw: Record<string, unknown>): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(protectionSchema, raw);
  if (!validated.ok) return validated;
  await db.appeal.update({ where: { id: appealId }, data: validated.value });
  return { ok: true };
}
