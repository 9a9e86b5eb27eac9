import { z } from "zod";
import type { DatabaseOrTransaction } from "~/infra/db.server";
import { acceptsSignatures } from "./appeal-lifecycle";
import { isWellFormedSlug, pickTranslation } from "./appeals";
import { countryCodes, countryName, publicCountryMinimum } from "./countries";
import { getSignatureCounts, getSignatureCountsFor } from "./counts";
import { appealLife, dashboardLimits, dashboardQueries, type AppealLife, type BucketUnit, type BucketWithTotal, type CountryCount } from "./dashboard.server";
import { decodeCursor, listPublicSigners, searchWords, signerSearchLimits } from "./signers";

/**
 * The public, read-only open data of appeals (the JSON API under /api, the Atom feed, the count
 * badge, the country breakdown on the signers page): only what the public pages already show —
 * never an email address, a network address, or a signer who chose not to be listed.
 * docs/decisions/019-open-data-api.md says why it looks as it does.
 *
 * Problems with a request are answered in English (OpenDataProblem): the API is an interface
 * for programs, documented in English by its OpenAPI document, and the same request must get the
 * same answer whatever language the client's Accept-Language names.
 */

/** A request the API cannot answer: its status and a sentence saying what to change. */
export class OpenDataProblem extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export type OpenDataAppeal = {
  slug: string;
  title: string;
  /** The language of `title`. */
  language: string;
  languages: string[];
  state: "open" | "closed";
  goal: number | null;
  count: number;
  /** UTC day of publication, YYYY-MM-DD. */
  publishedOn: string | null;
  closesAt: string | null;
  url: string;
};

/** What the appeals list and the Atom feed hold at most: the newest publications. */
export const openDataAppealsLimit = 500;

const appealSelect = {
  id: true,
  slug: true,
  status: true,
  defaultLocale: true,
  publishedAt: true,
  closesAt: true,
  closedAt: true,
  createdAt: true,
  signatureGoal: true,
  translations: { select: { locale: true, title: true, summary: true } },
} as const;

type AppealRow = {
  id: string;
  slug: string;
  status: string;
  defaultLocale: string;
  publishedAt: Date | null;
  closesAt: Date | null;
  signatureGoal: number | null;
  translations: { locale: string; title: string; summary: string | null }[];
};

function toOpenDataAppeal(appeal: AppealRow, count: number, options: { publicUrl: string; language: string | null; now: Date }): OpenDataAppeal {
  const translation = pickTranslation(appeal.translations, options.language ?? appeal.defaultLocale, appeal.defaultLocale);
  return {
    slug: appeal.slug,
    title: translation?.title ?? appeal.slug,
    language: translation?.locale ?? appeal.defaultLocale,
    languages: appeal.translations.map((t) => t.locale).sort(),
    state: acceptsSignatures(appeal, options.now) ? "open" : "closed",
    goal: appeal.signatureGoal,
    count,
    publishedOn: appeal.publishedAt ? appeal.publishedAt.toISOString().slice(0, 10) : null,
    closesAt: appeal.closesAt ? appeal.closesAt.toISOString() : null,
    url: appealUrl(options.publicUrl, appeal.slug),
  };
}

export function appealUrl(publicUrl: string, slug: string): string {
  return new URL(`/appeals/${encodeURIComponent(slug)}`, publicUrl).href;
}

/** `?lang=`: a language tag such as "en" or "kk", or nothing (the appeal's own language). */
export function parseLanguage(raw: string | null): string | null {
  if (raw === null || raw === "") return null;
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(raw)) throw new OpenDataProblem(400, "lang must be a language tag such as en or kk.");
  return raw;
}

/** Every appeal that was published (open, closed or archived), newest publication first. */
export async function listOpenDataAppeals(db: DatabaseOrTransaction, options: { publicUrl: string; language: string | null; now?: Date; limit?: number }): Promise<(OpenDataAppeal & { summary: string | null; publishedAt: Date | null })[]> {
  const appeals = await db.appeal.findMany({
    where: { status: { in: ["PUBLISHED", "CLOSED", "ARCHIVED"] } },
    orderBy: [{ publishedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
    take: Math.min(options.limit ?? openDataAppealsLimit, openDataAppealsLimit),
    select: appealSelect,
  });
  const counts = await getSignatureCountsFor(
    db,
    appeals.map((appeal) => appeal.id),
  );
  const now = options.now ?? new Date();
  return appeals.map((appeal) => {
    const translation = pickTranslation(appeal.translations, options.language ?? appeal.defaultLocale, appeal.defaultLocale);
    return {
      ...toOpenDataAppeal(appeal, counts.get(appeal.id)?.confirmed ?? 0, { ...options, now }),
      summary: translation?.summary ?? null,
      publishedAt: appeal.publishedAt,
    };
  });
}

type FoundAppeal = { id: string; life: AppealLife; appeal: OpenDataAppeal };

/** One published appeal, or an OpenDataProblem 404 (drafts do not exist for the public). */
export async function findOpenDataAppeal(db: DatabaseOrTransaction, slug: string, options: { publicUrl: string; language: string | null; now?: Date }): Promise<FoundAppeal> {
  const appeal = isWellFormedSlug(slug) ? await db.appeal.findUnique({ where: { slug }, select: appealSelect }) : null;
  if (!appeal || appeal.status === "DRAFT") throw new OpenDataProblem(404, `There is no published appeal ${JSON.stringify(slug.slice(0, 100))}.`);
  const counts = await getSignatureCounts(db, appeal.id);
  return { id: appeal.id, life: appealLife(appeal), appeal: toOpenDataAppeal(appeal, counts.confirmed, { ...options, now: options.now ?? new Date() }) };
}

export type CountryBreakdownRow = { code: string | null; name: string | null; count: number };

export type PublicCountryCounts = {
  /** Countries with at least `publicCountryMinimum` signatures, and "not given" (a null code) at any size; most first. */
  countries: CountryBreakdownRow[];
  /** Signatures from the countries with fewer than `publicCountryMinimum` each, together. */
  otherCountries: number;
};

/**
 * Confirmed signatures by the country their signers gave, most first. All confirmed signatures
 * count, listed or not, as in the count itself; a country with few of them is not named.
 */
export async function countryBreakdown(db: DatabaseOrTransaction, appealId: string, locale: string): Promise<PublicCountryCounts> {
  // Every country there can be, and "not given": the breakdown is never cut short.
  const rows = await db.$queryRaw<CountryCount[]>(dashboardQueries.topCountries(appealId, countryCodes.length + 1));
  const countries: CountryBreakdownRow[] = [];
  let otherCountries = 0;
  for (const row of rows) {
    if (row.country !== null && row.signatures < publicCountryMinimum) otherCountries += row.signatures;
    else countries.push({ code: row.country, name: row.country ? countryName(row.country, locale) : null, count: row.signatures });
  }
  return { countries, otherCountries };
}

export type PublicSignerRecord = { name: string; role: string | null; city: string | null; country: string | null; comment: string | null; signedAt: string };

export const signerPageLimits = { default: 50, max: 200 } as const;

const signerQuery = z.object({
  cursor: z.string().max(200).nullable(),
  limit: z.coerce.number().int().min(1).max(signerPageLimits.max).nullable(),
  q: z.string().max(signerSearchLimits.maxLength).nullable(),
});

/** A page of the public signer list, as in the signers page: the cursor comes from the previous page. */
export async function publicSignerPage(
  db: DatabaseOrTransaction,
  appealId: string,
  raw: { cursor: string | null; limit: string | null; q: string | null },
): Promise<{ signers: PublicSignerRecord[]; nextCursor: string | null }> {
  const parsed = signerQuery.safeParse(raw);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? "");
    throw new OpenDataProblem(
      400,
      field === "limit" ? `limit must be a whole number from 1 to ${signerPageLimits.max}.` : field === "q" ? `q must be at most ${signerSearchLimits.maxLength} characters.` : "cursor is not one this API gave out.",
    );
  }
  const after = parsed.data.cursor ? decodeCursor(parsed.data.cursor) : null;
  if (parsed.data.cursor && !after) throw new OpenDataProblem(400, "cursor is not one this API gave out: use nextCursor from the previous page.");
  const page = await listPublicSigners(db, appealId, { after, limit: parsed.data.limit ?? signerPageLimits.default, matching: searchWords(parsed.data.q) });
  return {
    signers: page.signers.map((signer) => ({
      name: signer.fullName,
      role: signer.role,
      city: signer.city,
      country: signer.country,
      comment: signer.comment,
      signedAt: signer.confirmedAt.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}

/** The most buckets one count series may hold: 31 days of hours, about ten years of days. */
export const countSeriesLimits: Record<BucketUnit, number> = { hour: 31 * 24, day: 3_660 };

const bucketMs: Record<BucketUnit, number> = { hour: 3_600_000, day: 86_400_000 };

export type CountSeriesRequest = { interval: BucketUnit; from: Date | null; to: Date | null };

/** `YYYY-MM-DD` (a UTC day) or an ISO 8601 date and time with Z or an offset. */
const instantPattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Whether the figures name a real day and time. Date parsing alone would read 2026-02-30 as
 * 2 March and 24:00 as the next day: a typo should get a 400, not a different span.
 */
function isRealDateAndTime([, year, month, day, hour = "0", minute = "0", second = "0"]: RegExpExecArray): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
}

function parseInstant(name: string, raw: string | null): Date | null {
  if (raw === null || raw === "") return null;
  const parts = instantPattern.exec(raw);
  const instant = parts && isRealDateAndTime(parts) ? new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : null;
  if (!instant || Number.isNaN(instant.getTime()) || instant.getUTCFullYear() < 2000 || instant.getUTCFullYear() > 9999) {
    throw new OpenDataProblem(400, `${name} must be a date such as 2026-06-01 or a UTC time such as 2026-06-01T14:00:00Z.`);
  }
  return instant;
}

export function parseCountSeriesRequest(raw: { interval: string | null; from: string | null; to: string | null }): CountSeriesRequest {
  const interval = raw.interval ?? "day";
  if (interval !== "hour" && interval !== "day") throw new OpenDataProblem(400, "interval must be hour or day.");
  const request = { interval, from: parseInstant("from", raw.from), to: parseInstant("to", raw.to) } as const;
  if (request.from && request.to && request.from > request.to) throw new OpenDataProblem(400, "from must not be later than to.");
  return request;
}

export type CountSeries = { interval: BucketUnit; from: string; to: string; buckets: { start: string; confirmations: number; total: number }[] };

/**
 * The count over time: for each UTC hour or day, the confirmations in it and the count standing
 * at its end. Without from/to: the last 48 hours (as on the dashboard), or every day of the
 * appeal's life. The same queries as the dashboard's charts (dashboard.server.ts).
 */
export async function countSeries(db: DatabaseOrTransaction, appeal: { id: string; life: AppealLife }, request: CountSeriesRequest, now = new Date()): Promise<CountSeries> {
  const { interval } = request;
  const step = bucketMs[interval];
  let query;
  if (interval === "day" && !request.from && !request.to) {
    query = dashboardQueries.perDay(appeal.id, appeal.life, now, { runningTotal: true });
  } else {
    const to = request.to ?? now;
    const from = request.from ?? (interval === "hour" ? new Date(to.getTime() - (dashboardLimits.hours - 1) * step) : (appeal.life.startedAt < to ? appeal.life.startedAt : to));
    const buckets = Math.floor(to.getTime() / step) - Math.floor(from.getTime() / step) + 1;
    if (buckets > countSeriesLimits[interval]) {
      throw new OpenDataProblem(400, `That is ${buckets} ${interval}s; one answer holds at most ${countSeriesLimits[interval]}. Ask for a shorter span with from and to.`);
    }
    query = dashboardQueries.perBucketBetween(appeal.id, interval, from, to, { runningTotal: true });
  }
  const rows = await db.$queryRaw<BucketWithTotal[]>(query);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    interval,
    from: (first?.start ?? now).toISOString(),
    to: new Date((last?.start ?? now).getTime() + step).toISOString(),
    buckets: rows.map((row) => ({ start: row.start.toISOString(), confirmations: row.signatures, total: row.total })),
  };
}
