import { queryDirect, sql, type Database, type DatabaseOrTransaction } from "~/infra/db.server";
import { gatherPerDatabase } from "~/infra/group-commit";
import { attachmentViewSelect, galleryOrder, toAttachmentView, type AttachmentView } from "./attachments";
import { acceptsSignatures, recordedClosingTime } from "./appeal-lifecycle";
import { getSignatureCounts, getSignatureCountsFor, type SignatureCounts } from "./counts";

export type AppealView = {
  id: string;
  slug: string;
  status: "DRAFT" | "PUBLISHED" | "CLOSED" | "ARCHIVED";
  acceptsSignatures: boolean;
  /** Whether the sign form carries the proof-of-work widget (proof-of-work.server.ts). */
  proofOfWork: "OFF" | "AUTOMATIC" | "ALWAYS";
  /** Language of the text shown; may differ from the reader's when no translation exists. */
  locale: string;
  /** Every language the text exists in. */
  locales: string[];
  title: string;
  summary: string | null;
  /** The text in Markdown; routes render it with renderMarkdown (markdown.server.ts). */
  body: string;
  publishedAt: Date | null;
  closesAt: Date | null;
  /** When it stopped taking signatures, if it has and the day is known. */
  closedAt: Date | null;
  /** Its deadline is behind it (a draft may keep one that has passed). */
  deadlinePassed: boolean;
  signatureGoal: number | null;
  authors: { name: string; role: string | null }[];
  attachments: AttachmentView[];
  publisher: Publisher;
  counts: SignatureCounts;
};

export type Publisher = {
  name: string;
  about: string | null;
  email: string | null;
  phones: { label: string | null; number: string }[];
  website: string | null;
  moreInfoUrl: string | null;
  supportUrl: string | null;
};

/** What an appeal's slug looks like: lower-case letters and digits in words joined by hyphens. */
export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const maxSlugLength = 80;

/**
 * Whether a string from a URL can be a slug at all. Anything else names no appeal and is not
 * worth a query (Postgres refuses a NUL in a text parameter with an error, not "not found").
 */
export function isWellFormedSlug(slug: string): boolean {
  return slug.length <= maxSlugLength && slugPattern.test(slug);
}

/** A published, closed or archived appeal as a visitor reads it, in their language when we have it. */
export async function getPublicAppeal(db: DatabaseOrTransaction, slug: string, locale: string): Promise<AppealView | null> {
  if (!isWellFormedSlug(slug)) return null;
  const appeal = await loadAppealView(db, { slug }, locale);
  return appeal && appeal.status !== "DRAFT" ? appeal : null;
}

/** Any appeal, drafts too, as visitors would read it: the organizers' preview. */
export async function getAppealPreview(db: DatabaseOrTransaction, appealId: string, locale: string): Promise<AppealView | null> {
  if (!/^[0-9a-f-]{36}$/i.test(appealId)) return null;
  return loadAppealView(db, { id: appealId }, locale);
}

async function loadAppealView(db: DatabaseOrTransaction, where: { slug: string } | { id: string }, locale: string): Promise<AppealView | null> {
  const appeal = await db.appeal.findUnique({
    where,
    include: {
      translations: true,
      authors: { orderBy: { position: "asc" } },
      attachments: { orderBy: [...galleryOrder], select: attachmentViewSelect },
      publisherPhones: { orderBy: { position: "asc" } },
    },
  });
  if (!appeal) return null;
  const translation = pickTranslation(appeal.translations, locale, appeal.defaultLocale);
  if (!translation) return null;
  const now = new Date();
  return {
    id: appeal.id,
    slug: appeal.slug,
    status: appeal.status,
    acceptsSignatures: acceptsSignatures(appeal, now),
    proofOfWork: appeal.proofOfWork,
    locale: translation.locale,
    locales: appeal.translations.map((t) => t.locale).sort(),
    title: translation.title,
    summary: translation.summary,
    body: translation.body,
    publishedAt: appeal.publishedAt,
    closesAt: appeal.closesAt,
    closedAt: closingDay(appeal, now),
    deadlinePassed: appeal.closesAt !== null && appeal.closesAt <= now,
    signatureGoal: appeal.signatureGoal,
    authors: appeal.authors.map(({ name, role }) => ({ name, role })),
    attachments: appeal.attachments.flatMap((attachment) => toAttachmentView(attachment) ?? []),
    publisher: publisherOf(appeal),
    counts: await getSignatureCounts(db, appeal.id),
  };
}

/** The day a closed appeal stopped taking signatures, if recorded (never today's date as a guess). */
function closingDay(appeal: { status: string; closedAt: Date | null; closesAt: Date | null }, now: Date): Date | null {
  if (acceptsSignatures(appeal, now) || appeal.status === "DRAFT") return null;
  return recordedClosingTime(appeal, now);
}

export function publisherOf(appeal: {
  publisherName: string;
  publisherAbout: string | null;
  publisherEmail: string | null;
  publisherWebsite: string | null;
  moreInfoUrl: string | null;
  supportUrl: string | null;
  publisherPhones: { label: string | null; number: string }[];
}): Publisher {
  return {
    name: appeal.publisherName,
    about: appeal.publisherAbout,
    email: appeal.publisherEmail,
    phones: appeal.publisherPhones.map(({ label, number }) => ({ label, number })),
    website: appeal.publisherWebsite,
    moreInfoUrl: appeal.moreInfoUrl,
    supportUrl: appeal.supportUrl,
  };
}

export type AppealSummary = { slug: string; title: string; summary: string | null; publishedAt: Date | null; closedAt: Date | null; confirmed: number };

/**
 * The home page lists appeals collecting signatures (`open`), the newest first; the archive page,
 * closed and archived ones (`past`), the most recently closed first.
 */
export async function listPublishedAppeals(db: DatabaseOrTransaction, locale: string, which: "open" | "past" = "open"): Promise<AppealSummary[]> {
  const appeals = await db.appeal.findMany({
    where: { status: which === "open" ? "PUBLISHED" : { in: ["CLOSED", "ARCHIVED"] } },
    // Past appeals by the date each card shows: when they closed.
    orderBy: which === "open" ? [{ publishedAt: "desc" }, { id: "desc" }] : [{ closedAt: { sort: "desc", nulls: "last" } }, { publishedAt: "desc" }, { id: "desc" }],
    take: 100,
    select: { id: true, slug: true, status: true, publishedAt: true, closedAt: true, defaultLocale: true, translations: true },
  });
  const counts = await getSignatureCountsFor(
    db,
    appeals.map((a) => a.id),
  );
  return appeals.flatMap((appeal) => {
    const translation = pickTranslation(appeal.translations, locale, appeal.defaultLocale);
    if (!translation) return [];
    return [
      {
        slug: appeal.slug,
        title: translation.title,
        summary: translation.summary,
        publishedAt: appeal.publishedAt,
        closedAt: appeal.closedAt,
        confirmed: counts.get(appeal.id)?.confirmed ?? 0,
      },
    ];
  });
}

export type NewAppeal = {
  slug: string;
  status?: "DRAFT" | "PUBLISHED" | "CLOSED" | "ARCHIVED";
  defaultLocale?: string;
  publishedAt?: Date | null;
  closesAt?: Date | null;
  signatureGoal?: number | null;
  proofOfWork?: AppealView["proofOfWork"];
  publisher: AppealView["publisher"];
  translations: { locale: string; title: string; summary?: string | null; body: string }[];
  authors?: { name: string; role?: string | null }[];
};

/** Writes an appeal with its texts and authors. Used by the seed and by tests. */
export async function createAppeal(db: Database, appeal: NewAppeal): Promise<{ id: string; slug: string }> {
  return db.appeal.create({
    data: {
      slug: appeal.slug,
      status: appeal.status ?? "PUBLISHED",
      defaultLocale: appeal.defaultLocale ?? "en",
      publishedAt: appeal.publishedAt === undefined ? new Date() : appeal.publishedAt,
      closesAt: appeal.closesAt ?? null,
      signatureGoal: appeal.signatureGoal ?? null,
      ...(appeal.proofOfWork ? { proofOfWork: appeal.proofOfWork } : {}),
      publisherName: appeal.publisher.name,
      publisherAbout: appeal.publisher.about,
      publisherEmail: appeal.publisher.email,
      publisherWebsite: appeal.publisher.website,
      moreInfoUrl: appeal.publisher.moreInfoUrl,
      supportUrl: appeal.publisher.supportUrl,
      publisherPhones: { create: appeal.publisher.phones.map((phone, position) => ({ position, label: phone.label, number: phone.number })) },
      translations: {
        create: appeal.translations.map((t) => ({ locale: t.locale, title: t.title, summary: t.summary ?? null, body: t.body })),
      },
      authors: { create: (appeal.authors ?? []).map((a, position) => ({ position, name: a.name, role: a.role ?? null })) },
    },
    select: { id: true, slug: true },
  });
}

export type SignableAppeal = { id: string; slug: string; acceptsSignatures: boolean; signLimitPerMinute: number | null; signLimitPerHour: number | null; proofOfWork: "OFF" | "AUTOMATIC" | "ALWAYS" };

async function findSignableAppeals(db: Database, slugs: string[]): Promise<(SignableAppeal | null)[]> {
  const found = await queryDirect<Omit<SignableAppeal, "acceptsSignatures"> & { status: string; closesAt: Date | null }>(db, sql`
    -- prepared: find-signable-appeals
    SELECT id::text AS id, slug, status::text AS status, "closesAt", "signLimitPerMinute", "signLimitPerHour", "proofOfWork"::text AS "proofOfWork"
    FROM "Appeal" WHERE slug = ANY(${[...new Set(slugs)]}::text[]) AND status <> 'DRAFT'`);
  const now = new Date();
  const bySlug = new Map(found.map(({ status, closesAt, ...rest }) => [rest.slug, { ...rest, acceptsSignatures: acceptsSignatures({ status, closesAt }, now) }]));
  return slugs.map((slug) => bySlug.get(slug) ?? null);
}

/**
 * The little the sign action needs: which appeal, whether it still takes signatures, and its
 * limits. Every submission asks, so lookups arriving together share one query (group reads,
 * infra/group-commit.ts).
 */
const findSignableAppealTogether = /* @__PURE__ */ gatherPerDatabase(findSignableAppeals);

export async function findSignableAppeal(db: Database, slug: string): Promise<SignableAppeal | null> {
  return isWellFormedSlug(slug) ? findSignableAppealTogether(db, slug) : null;
}

/**
 * The reader's language if the appeal has it (a regional reader, "en-GB", reads the "en" text
 * when there is no "en-GB" one), else the appeal's own language.
 */
export function pickTranslation<T extends { locale: string }>(translations: T[], locale: string, defaultLocale: string): T | undefined {
  const language = locale.split("-")[0];
  return (
    translations.find((t) => t.locale === locale) ??
    translations.find((t) => t.locale === language) ??
    translations.find((t) => t.locale === defaultLocale) ??
    translations[0]
  );
}
