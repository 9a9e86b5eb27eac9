import type { Database, DatabaseOrTransaction } from "~/infra/db.server";
import { getSignatureCounts, getSignatureCountsFor, type SignatureCounts } from "./counts";

export type AppealView = {
  id: string;
  slug: string;
  status: "DRAFT" | "PUBLISHED" | "CLOSED";
  acceptsSignatures: boolean;
  /** Language of the text shown; may differ from the reader's when no translation exists. */
  locale: string;
  /** Every language the text exists in. */
  locales: string[];
  title: string;
  summary: string | null;
  paragraphs: string[];
  publishedAt: Date | null;
  closesAt: Date | null;
  signatureGoal: number | null;
  authors: { name: string; role: string | null }[];
  attachments: { url: string; width: number; height: number; altText: string; caption: string | null; credit: string | null }[];
  publisher: {
    name: string;
    email: string | null;
    phone: string | null;
    moreInfoUrl: string | null;
    supportUrl: string | null;
  };
  counts: SignatureCounts;
};

/** Blank lines separate paragraphs; single line breaks stay inside a paragraph. */
export function splitParagraphs(body: string): string[] {
  return body
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
}

function acceptsSignatures(appeal: { status: string; closesAt: Date | null }, now: Date): boolean {
  return appeal.status === "PUBLISHED" && (appeal.closesAt === null || appeal.closesAt > now);
}

/** A published (or closed) appeal as a visitor reads it, in their language when we have it. */
export async function getPublicAppeal(db: DatabaseOrTransaction, slug: string, locale: string): Promise<AppealView | null> {
  const appeal = await db.appeal.findUnique({
    where: { slug },
    include: {
      translations: true,
      authors: { orderBy: { position: "asc" } },
      attachments: { orderBy: { position: "asc" } },
    },
  });
  if (!appeal || appeal.status === "DRAFT") return null;
  const translation = pickTranslation(appeal.translations, locale, appeal.defaultLocale);
  if (!translation) return null;
  return {
    id: appeal.id,
    slug: appeal.slug,
    status: appeal.status,
    acceptsSignatures: acceptsSignatures(appeal, new Date()),
    locale: translation.locale,
    locales: appeal.translations.map((t) => t.locale).sort(),
    title: translation.title,
    summary: translation.summary,
    paragraphs: splitParagraphs(translation.body),
    publishedAt: appeal.publishedAt,
    closesAt: appeal.closesAt,
    signatureGoal: appeal.signatureGoal,
    authors: appeal.authors.map(({ name, role }) => ({ name, role })),
    attachments: appeal.attachments.map(({ url, width, height, altText, caption, credit }) => ({
      url,
      width,
      height,
      altText,
      caption,
      credit,
    })),
    publisher: {
      name: appeal.publisherName,
      email: appeal.publisherEmail,
      phone: appeal.publisherPhone,
      moreInfoUrl: appeal.moreInfoUrl,
      supportUrl: appeal.supportUrl,
    },
    counts: await getSignatureCounts(db, appeal.id),
  };
}

export type AppealSummary = { slug: string; title: string; summary: string | null; publishedAt: Date | null; confirmed: number };

export async function listPublishedAppeals(db: DatabaseOrTransaction, locale: string): Promise<AppealSummary[]> {
  const appeals = await db.appeal.findMany({
    where: { status: { in: ["PUBLISHED", "CLOSED"] } },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    take: 100,
    select: { id: true, slug: true, publishedAt: true, defaultLocale: true, translations: true },
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
        confirmed: counts.get(appeal.id)?.confirmed ?? 0,
      },
    ];
  });
}

export type NewAppeal = {
  slug: string;
  status?: "DRAFT" | "PUBLISHED" | "CLOSED";
  defaultLocale?: string;
  publishedAt?: Date | null;
  closesAt?: Date | null;
  signatureGoal?: number | null;
  publisher: AppealView["publisher"];
  translations: { locale: string; title: string; summary?: string | null; body: string }[];
  authors?: { name: string; role?: string | null }[];
  attachments?: AppealView["attachments"];
};

/** Writes an appeal with its texts, authors and attachments. Used by the seed and by tests. */
export async function createAppeal(db: Database, appeal: NewAppeal): Promise<{ id: string; slug: string }> {
  return db.appeal.create({
    data: {
      slug: appeal.slug,
      status: appeal.status ?? "PUBLISHED",
      defaultLocale: appeal.defaultLocale ?? "en",
      publishedAt: appeal.publishedAt === undefined ? new Date() : appeal.publishedAt,
      closesAt: appeal.closesAt ?? null,
      signatureGoal: appeal.signatureGoal ?? null,
      publisherName: appeal.publisher.name,
      publisherEmail: appeal.publisher.email,
      publisherPhone: appeal.publisher.phone,
      moreInfoUrl: appeal.publisher.moreInfoUrl,
      supportUrl: appeal.publisher.supportUrl,
      translations: {
        create: appeal.translations.map((t) => ({ locale: t.locale, title: t.title, summary: t.summary ?? null, body: t.body })),
      },
      authors: { create: (appeal.authors ?? []).map((a, position) => ({ position, name: a.name, role: a.role ?? null })) },
      attachments: { create: (appeal.attachments ?? []).map((a, position) => ({ position, ...a })) },
    },
    select: { id: true, slug: true },
  });
}

/** The little the sign action needs: which appeal, and whether it still takes signatures. */
export async function findSignableAppeal(
  db: DatabaseOrTransaction,
  slug: string,
): Promise<{ id: string; slug: string; acceptsSignatures: boolean } | null> {
  const appeal = await db.appeal.findUnique({ where: { slug }, select: { id: true, slug: true, status: true, closesAt: true } });
  if (!appeal || appeal.status === "DRAFT") return null;
  return { id: appeal.id, slug: appeal.slug, acceptsSignatures: acceptsSignatures(appeal, new Date()) };
}

/** The reader's language if the appeal has it, else the appeal's own language. */
export function pickTranslation<T extends { locale: string }>(translations: T[], locale: string, defaultLocale: string): T | undefined {
  return translations.find((t) => t.locale === locale) ?? translations.find((t) => t.locale === defaultLocale) ?? translations[0];
}
