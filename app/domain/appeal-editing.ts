import type { DatabaseOrTransaction } from "~/infra/db.server";
import { pickTranslation } from "./appeals";
import { getSignatureCountsFor } from "./counts";

/** The organizer area's view of appeals: every status, newest first. */
export type AppealStatus = "DRAFT" | "PUBLISHED" | "CLOSED" | "ARCHIVED";

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
