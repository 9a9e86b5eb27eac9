import { z } from "zod";
import type { MessageId } from "~/i18n/i18n";
import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { maxSlugLength, pickTranslation, slugPattern } from "./appeals";
import { recordAudit } from "./audit";
import { actionsAvailable, type LifecycleAction } from "./appeal-lifecycle";
import { getSignatureCounts, getSignatureCountsFor } from "./counts";
import { personalDataErasure, retentionMonthsLimits, type PersonalDataErasure } from "./retention";
import type { SignedInOrganizer } from "./organizers";
import { checkbox, optionalEmail, optionalText, optionalWebAddress, requiredText, validate, type FieldErrors } from "./validation";

/** The organizer area's view of appeals: every status, newest first. */
export type { AppealStatus } from "./appeal-lifecycle";
import type { AppealStatus } from "./appeal-lifecycle";

export type AppealListItem = {
  id: string;
  slug: string;
  title: string;
  status: AppealStatus;
  publishedAt: Date | null;
  closesAt: Date | null;
  updatedAt: Date;
  confirmed: number;
};

export async function listAppealsForOrganizers(db: DatabaseOrTransaction, locale: string): Promise<AppealListItem[]> {
  const appeals = await db.appeal.findMany({
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    select: { id: true, slug: true, status: true, publishedAt: true, closesAt: true, updatedAt: true, defaultLocale: true, translations: { select: { locale: true, title: true } } },
  });
  const counts = await getSignatureCountsFor(
    db,
    appeals.map((appeal) => appeal.id),
  );
  return appeals.map((appeal) => ({
    id: appeal.id,
    slug: appeal.slug,
    title: pickTranslation(appeal.translations, locale, appeal.defaultLocale)?.title ?? appeal.slug,
    status: appeal.status,
    publishedAt: appeal.publishedAt,
    closesAt: appeal.closesAt,
    updatedAt: appeal.updatedAt,
    confirmed: counts.get(appeal.id)?.confirmed ?? 0,
  }));
}

export type AppealHeader = { id: string; slug: string; title: string; status: AppealStatus };

/** What every page about one appeal shows at the top. */
export async function getAppealHeader(db: DatabaseOrTransaction, appealId: string, locale: string): Promise<AppealHeader | null> {
  if (!/^[0-9a-f-]{36}$/i.test(appealId)) return null;
  const appeal = await db.appeal.findUnique({
    where: { id: appealId },
    select: { id: true, slug: true, status: true, defaultLocale: true, translations: { select: { locale: true, title: true } } },
  });
  if (!appeal) return null;
  return {
    id: appeal.id,
    slug: appeal.slug,
    status: appeal.status,
    title: pickTranslation(appeal.translations, locale, appeal.defaultLocale)?.title ?? appeal.slug,
  };
}

// ---------------------------------------------------------------------------------------------
// Creating an appeal
// ---------------------------------------------------------------------------------------------

export const appealLimits = { title: 200, summary: 400, body: 50_000, slug: maxSlugLength, publisherName: 200, about: 1_000, phoneLabel: 60, phoneNumber: 40, phones: 10, signatories: 500, signatoryName: 200, signatoryRole: 200 } as const;

/** Languages an appeal's text can be written in: BCP 47 tags such as "en", "kk", "pt-BR". */
export const textLocalePattern = /^[a-z]{2,3}(-[A-Z]{2})?$/;

/** Languages offered first when adding a text; any other tag can be typed. */
export const commonTextLocales = ["en", "ru", "kk", "uk", "de", "fr", "es", "it", "pt", "pl", "tr", "ar", "fa", "zh", "ja", "ky", "uz", "tg", "az", "ka", "hy", "be", "ro", "nl", "sv", "fi", "cs", "he", "hi"] as const;

const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, { error: "errors.slugInvalid" satisfies MessageId })
  .max(appealLimits.slug, { error: "errors.slugInvalid" satisfies MessageId })
  .regex(slugPattern, { error: "errors.slugInvalid" satisfies MessageId });

const localeSchema = z
  .string()
  .trim()
  .refine((value) => textLocalePattern.test(value), { error: "errors.localeInvalid" satisfies MessageId });

export const newAppealSchema = z.object({
  locale: localeSchema,
  title: requiredText(appealLimits.title, "errors.titleRequired"),
  slug: z.string().trim().max(200).default(""),
  publisherName: requiredText(appealLimits.publisherName, "errors.publisherNameRequired"),
});

/** A URL slug from a title, in Latin letters (Cyrillic, including Kazakh, is transliterated). */
export function slugFromTitle(title: string): string {
  const transliterated = [...title.toLowerCase()].map((letter) => cyrillicToLatin[letter] ?? letter).join("");
  return transliterated
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

const cyrillicToLatin: Record<string, string> = {
  а: "a", ә: "a", б: "b", в: "v", г: "g", ғ: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "i", і: "i", к: "k", қ: "q", л: "l",
  м: "m", н: "n", ң: "n", о: "o", ө: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ұ: "u", ү: "u", ф: "f", х: "kh", һ: "h", ц: "ts", ч: "ch",
  ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "iu", я: "ia", є: "ie", ї: "i", ґ: "g",
};

async function slugIsFree(db: DatabaseOrTransaction, slug: string, exceptAppealId?: string): Promise<boolean> {
  const taken = await db.appeal.findUnique({ where: { slug }, select: { id: true } });
  return !taken || taken.id === exceptAppealId;
}

/** A new draft: its original language, title and publisher; the rest is filled in afterwards. */
export async function createDraftAppeal(db: Database, organizer: SignedInOrganizer, raw: Record<string, unknown>): Promise<{ ok: true; id: string } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(newAppealSchema, raw);
  if (!validated.ok) return validated;
  const input = validated.value;
  const requestedSlug = input.slug === "" ? slugFromTitle(input.title) || "appeal" : input.slug;
  const slug = validate(slugSchema, requestedSlug);
  if (!slug.ok) return { ok: false, fieldErrors: { slug: slug.fieldErrors[""] ?? { id: "errors.slugInvalid" } } };
  let finalSlug = slug.value;
  if (!(await slugIsFree(db, finalSlug))) {
    // A slug the organizer typed must be theirs to change; one made from the title gets a number.
    if (input.slug !== "") return { ok: false, fieldErrors: { slug: { id: "errors.slugTaken" } } };
    finalSlug = await nextFreeSlug(db, finalSlug);
  }
  return db.$transaction(async (tx) => {
    const appeal = await tx.appeal.create({
      data: {
        slug: finalSlug,
        status: "DRAFT",
        defaultLocale: input.locale,
        publishedAt: null,
        publisherName: input.publisherName,
        translations: { create: { locale: input.locale, title: input.title, body: "" } },
      },
      select: { id: true, slug: true },
    });
    await recordAudit(tx, { actor: organizer, action: "appeal.created", appealId: appeal.id, subject: appeal.slug });
    return { ok: true as const, id: appeal.id };
  });
}

async function nextFreeSlug(db: DatabaseOrTransaction, base: string): Promise<string> {
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base.slice(0, appealLimits.slug - 6)}-${suffix}`;
    if (await slugIsFree(db, candidate)) return candidate;
  }
}

// ---------------------------------------------------------------------------------------------
// Details and publisher
// ---------------------------------------------------------------------------------------------

export type AppealDetails = {
  slug: string;
  publishedOn: string;
  closesAt: string;
  signatureGoal: string;
  publisherName: string;
  publisherAbout: string;
  publisherEmail: string;
  publisherWebsite: string;
  supportUrl: string;
  moreInfoUrl: string;
  /** Months after closing until signers' personal data is erased. */
  retentionMonths: string;
  phones: { label: string; number: string }[];
};

/** The details form's fields as text, the way the form shows them. */
export async function getAppealDetails(db: DatabaseOrTransaction, appealId: string): Promise<AppealDetails | null> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, include: { publisherPhones: { orderBy: { position: "asc" } } } });
  if (!appeal) return null;
  return {
    slug: appeal.slug,
    publishedOn: appeal.publishedAt ? appeal.publishedAt.toISOString().slice(0, 10) : "",
    closesAt: appeal.closesAt ? appeal.closesAt.toISOString().slice(0, 16) : "",
    signatureGoal: appeal.signatureGoal === null ? "" : String(appeal.signatureGoal),
    publisherName: appeal.publisherName,
    publisherAbout: appeal.publisherAbout ?? "",
    publisherEmail: appeal.publisherEmail ?? "",
    publisherWebsite: appeal.publisherWebsite ?? "",
    supportUrl: appeal.supportUrl ?? "",
    moreInfoUrl: appeal.moreInfoUrl ?? "",
    retentionMonths: String(appeal.retentionMonths),
    phones: appeal.publisherPhones.map((phone) => ({ label: phone.label ?? "", number: phone.number })),
  };
}

const calendarDate = z
  .string()
  .trim()
  .refine((value) => value === "" || (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))), { error: "errors.dateInvalid" satisfies MessageId })
  .transform((value) => (value === "" ? null : new Date(`${value}T00:00:00Z`)));

/** Deadlines are entered and shown in UTC, and the form says so. */
const dateTimeUtc = z
  .string()
  .trim()
  .refine((value) => value === "" || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}:00Z`))), { error: "errors.dateTimeInvalid" satisfies MessageId })
  .transform((value) => (value === "" ? null : new Date(`${value}:00Z`)));

const phoneSchema = z.object({
  label: optionalText(appealLimits.phoneLabel),
  number: z
    .string()
    .trim()
    .max(appealLimits.phoneNumber, { error: "errors.tooLong" satisfies MessageId })
    .refine((value) => value === "" || /^\+?[\d\s().\-/]{3,}$/.test(value), { error: "errors.phoneInvalid" satisfies MessageId }),
});

export const appealDetailsSchema = z.object({
  slug: slugSchema,
  publishedOn: calendarDate,
  closesAt: dateTimeUtc,
  signatureGoal: z
    .string()
    .trim()
    .refine((value) => value === "" || (/^\d{1,9}$/.test(value) && Number(value) > 0), { error: "errors.goalInvalid" satisfies MessageId })
    .transform((value) => (value === "" ? null : Number(value))),
  publisherName: requiredText(appealLimits.publisherName, "errors.publisherNameRequired"),
  publisherAbout: optionalText(appealLimits.about),
  publisherEmail: optionalEmail,
  publisherWebsite: optionalWebAddress,
  supportUrl: optionalWebAddress,
  moreInfoUrl: optionalWebAddress,
  retentionMonths: z
    .string()
    .trim()
    .refine((value) => /^\d{1,3}$/.test(value) && Number(value) >= retentionMonthsLimits.min && Number(value) <= retentionMonthsLimits.max, {
      error: "errors.retentionMonthsInvalid" satisfies MessageId,
    })
    .transform(Number),
  phones: z
    .array(phoneSchema)
    .max(appealLimits.phones)
    .superRefine((phones, context) => {
      phones.forEach((phone, index) => {
        if (phone.number === "" && phone.label !== null) {
          context.addIssue({ code: "custom", path: [index, "number"], message: "errors.phoneRequired" satisfies MessageId });
        }
      });
    }),
});

/**
 * Saves the details and publisher block. Signatures are never touched: editing a published
 * appeal keeps every signature and count. Phone rows left empty are dropped.
 */
export async function saveAppealDetails(db: Database, appealId: string, raw: Record<string, unknown>): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(appealDetailsSchema, raw);
  if (!validated.ok) return validated;
  const input = validated.value;
  if (!(await slugIsFree(db, input.slug, appealId))) return { ok: false, fieldErrors: { slug: { id: "errors.slugTaken" } } };
  // Rows left empty are dropped; a label without a number was refused above.
  const phones = input.phones.filter((phone) => phone.number !== "");
  await db.$transaction([
    db.appeal.update({
      where: { id: appealId },
      data: {
        slug: input.slug,
        publishedAt: input.publishedOn,
        closesAt: input.closesAt,
        signatureGoal: input.signatureGoal,
        publisherName: input.publisherName,
        publisherAbout: input.publisherAbout,
        publisherEmail: input.publisherEmail,
        publisherWebsite: input.publisherWebsite,
        supportUrl: input.supportUrl,
        moreInfoUrl: input.moreInfoUrl,
        retentionMonths: input.retentionMonths,
      },
    }),
    db.appealPhone.deleteMany({ where: { appealId } }),
    db.appealPhone.createMany({ data: phones.map((phone, position) => ({ appealId, position, label: phone.label, number: phone.number })) }),
  ]);
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Texts in several languages
// ---------------------------------------------------------------------------------------------

export type AppealTextSummary = { locale: string; title: string; isOriginal: boolean; hasBody: boolean };

export async function listAppealTexts(db: DatabaseOrTransaction, appealId: string): Promise<AppealTextSummary[] | null> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { defaultLocale: true, translations: { select: { locale: true, title: true, body: true } } } });
  if (!appeal) return null;
  return appeal.translations
    .map((text) => ({ locale: text.locale, title: text.title, isOriginal: text.locale === appeal.defaultLocale, hasBody: text.body.trim() !== "" }))
    .sort((a, b) => Number(b.isOriginal) - Number(a.isOriginal) || a.locale.localeCompare(b.locale));
}

export type AppealText = { locale: string; title: string; summary: string; body: string; isOriginal: boolean; exists: boolean };

/** One language's text for the editor; a language not written yet comes back empty. */
export async function getAppealText(db: DatabaseOrTransaction, appealId: string, locale: string): Promise<AppealText | null> {
  if (!textLocalePattern.test(locale)) return null;
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { defaultLocale: true, translations: { where: { locale } } } });
  if (!appeal) return null;
  const text = appeal.translations[0];
  return { locale, title: text?.title ?? "", summary: text?.summary ?? "", body: text?.body ?? "", isOriginal: appeal.defaultLocale === locale, exists: Boolean(text) };
}

export const appealTextSchema = z.object({
  title: requiredText(appealLimits.title, "errors.titleRequired"),
  summary: optionalText(appealLimits.summary),
  body: requiredText(appealLimits.body, "errors.bodyRequired"),
  isOriginal: checkbox,
});

/** Saves one language's text (creating the translation if new); "original" moves the mark to it. */
export async function saveAppealText(db: Database, appealId: string, locale: string, raw: Record<string, unknown>): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  if (!textLocalePattern.test(locale)) return { ok: false, fieldErrors: { locale: { id: "errors.localeInvalid" } } };
  const validated = validate(appealTextSchema, raw);
  if (!validated.ok) return validated;
  const { title, summary, body, isOriginal } = validated.value;
  await db.$transaction(async (tx) => {
    await tx.appealTranslation.upsert({
      where: { appealId_locale: { appealId, locale } },
      create: { appealId, locale, title, summary, body },
      update: { title, summary, body },
    });
    // Touch the appeal so lists show when it last changed.
    await tx.appeal.update({ where: { id: appealId }, data: isOriginal ? { defaultLocale: locale } : { updatedAt: new Date() } });
  });
  return { ok: true };
}

/** Removes a translation; the original text cannot be removed (mark another as original first). */
export async function removeAppealText(db: Database, appealId: string, locale: string): Promise<"removed" | "original" | "notFound"> {
  const appeal = await db.appeal.findUnique({ where: { id: appealId }, select: { defaultLocale: true } });
  if (!appeal) return "notFound";
  if (appeal.defaultLocale === locale) return "original";
  const removed = await db.appealTranslation.deleteMany({ where: { appealId, locale } });
  return removed.count > 0 ? "removed" : "notFound";
}

// ---------------------------------------------------------------------------------------------
// Initial signatories
// ---------------------------------------------------------------------------------------------

export type Signatory = { name: string; role: string };

export async function getSignatories(db: DatabaseOrTransaction, appealId: string): Promise<Signatory[]> {
  const authors = await db.appealAuthor.findMany({ where: { appealId }, orderBy: { position: "asc" }, select: { name: true, role: true } });
  return authors.map((author) => ({ name: author.name, role: author.role ?? "" }));
}

const signatorySchema = z.object({
  name: requiredText(appealLimits.signatoryName, "errors.signatoryNameRequired"),
  role: optionalText(appealLimits.signatoryRole),
});
export const signatoriesSchema = z.array(signatorySchema).max(appealLimits.signatories, { error: "errors.tooManySignatories" satisfies MessageId });

/** Replaces the list, in the order given. */
export async function saveSignatories(db: Database, appealId: string, rows: Signatory[]): Promise<{ ok: true } | { ok: false; fieldErrors: FieldErrors }> {
  const validated = validate(signatoriesSchema, rows);
  if (!validated.ok) {
    // Field names as the form has them: signatories.3.name.
    return { ok: false, fieldErrors: Object.fromEntries(Object.entries(validated.fieldErrors).map(([field, error]) => [field === "" ? "signatories" : `signatories.${field}`, error])) };
  }
  await db.$transaction([
    db.appealAuthor.deleteMany({ where: { appealId } }),
    db.appealAuthor.createMany({ data: validated.value.map((row, position) => ({ appealId, position, name: row.name, role: row.role })) }),
    db.appeal.update({ where: { id: appealId }, data: { updatedAt: new Date() } }),
  ]);
  return { ok: true };
}

export type PastedSignatories = { signatories: Signatory[]; problems: { line: number; text: string }[] };

/**
 * Lines as open letters list their signatories — "Jane Doe, journalist" — one signatory per
 * line. The name ends at the first tab (a spreadsheet), else at the first " — " or " – ",
 * else at the first comma; the rest is the role ("teacher, Aldermere Primary School" stays
 * whole). Bullets and numbering are dropped, blank lines skipped. Lines that make no name, or
 * a name or role too long, are reported by number.
 */
export function parseSignatoryLines(text: string): PastedSignatories {
  const signatories: Signatory[] = [];
  const problems: PastedSignatories["problems"] = [];
  text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .forEach((rawLine, index) => {
      const line = rawLine.replace(/^\s*(?:[-*•·–—]|\d{1,3}[.)])\s+/u, "").trim();
      if (line === "") return;
      const separator = /\t| [—–] |,/u.exec(line);
      const name = (separator ? line.slice(0, separator.index) : line).trim();
      const role = (separator ? line.slice(separator.index + separator[0].length) : "").trim().replace(/\s+/g, " ");
      if (name === "" || name.length > appealLimits.signatoryName || role.length > appealLimits.signatoryRole) {
        problems.push({ line: index + 1, text: rawLine.trim().slice(0, 80) });
        return;
      }
      signatories.push({ name: name.replace(/\s+/g, " "), role });
    });
  return { signatories, problems };
}

// ---------------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------------

export type AppealOverview = {
  id: string;
  slug: string;
  status: AppealStatus;
  closedAt: Date | null;
  closesAt: Date | null;
  actions: LifecycleAction[];
  /** `emailRefused`: pending signatures whose address the signer's mail server refused for good. */
  counts: { confirmed: number; listed: number; pending: number; held: number; emailRefused: number };
  /** When signers' personal data will be, or was, erased. */
  erasure: PersonalDataErasure;
};

export async function getAppealOverview(db: DatabaseOrTransaction, appealId: string): Promise<AppealOverview | null> {
  const appeal = await db.appeal.findUnique({
    where: { id: appealId },
    select: { id: true, slug: true, status: true, closedAt: true, closesAt: true, retentionMonths: true, personalDataErasedAt: true },
  });
  if (!appeal) return null;
  const [counts, pending, held, emailRefused] = await Promise.all([
    getSignatureCounts(db, appealId),
    db.signature.count({ where: { appealId, status: "PENDING" } }),
    db.signature.count({ where: { appealId, status: "HELD" } }),
    db.signature.count({ where: { appealId, status: "PENDING", emailRejectedAt: { not: null } } }),
  ]);
  const { retentionMonths, personalDataErasedAt, ...shown } = appeal;
  return {
    ...shown,
    actions: actionsAvailable(appeal.status),
    counts: { ...counts, pending, held, emailRefused },
    erasure: personalDataErasure({ closedAt: appeal.closedAt, retentionMonths, personalDataErasedAt }),
  };
}
