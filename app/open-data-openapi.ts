import { publicCountryMinimum } from "~/domain/countries";
import { countSeriesLimits, signerPageLimits } from "~/domain/open-data.server";
import { signerSearchLimits } from "~/domain/signers";

/**
 * The OpenAPI 3.1 description of the open-data API, served at /api/openapi.json. Its schemas
 * are JSON Schema 2020-12; tests/open-data.test.ts validates the document and checks every
 * route's answers against them, so the two cannot drift apart.
 */

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, "null"], ...extra });

const slugParameter = {
  name: "slug",
  in: "path",
  required: true,
  description: "The appeal's slug, as in its address /appeals/{slug}.",
  schema: { type: "string", pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$", maxLength: 80 },
} as const;

const langParameter = {
  name: "lang",
  in: "query",
  required: false,
  description: "Language of the title (e.g. en, ru, kk); the appeal's own language when it has no text in this one.",
  schema: { type: "string" },
} as const;

const cachedJson = (description: string, schemaRef: string) => ({
  description,
  headers: {
    "Access-Control-Allow-Origin": { description: "Always *: any site may read the open data.", schema: { type: "string", const: "*" } },
    "Cache-Control": { description: "public, at most 2 seconds old.", schema: { type: "string" } },
    ETag: { description: "Send it back in If-None-Match to get a 304 while the answer is unchanged.", schema: { type: "string" } },
  },
  content: { "application/json": { schema: { $ref: schemaRef } } },
});

const problem = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Problem" } } } });
const notModified = { description: "Not modified: the answer still has the ETag sent in If-None-Match." };
const preflight = (summary: string) => ({
  summary,
  description: "CORS preflight: GET is allowed from any origin.",
  responses: { "204": { description: "GET allowed from any origin (Access-Control-Allow-Origin: *)." } },
});

export function openApiDocument(publicUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Undersign open data",
      version: "1.0.0",
      summary: "Published appeals, their counts, the public signer lists and the count over time. Read-only, no key needed.",
      description:
        "Everything here is also on the public pages. Signers who chose not to be listed are never in it, nor email or network addresses. Times are UTC (ISO 8601). Answers are JSON; bad parameters get 400 and unknown appeals 404, both with a Problem body.",
      license: { name: "Data: as published by each appeal's publisher" },
    },
    servers: [{ url: new URL("/", publicUrl).href.replace(/\/$/, "") }],
    paths: {
      "/api/appeals": {
        get: {
          operationId: "listAppeals",
          summary: "Published appeals, newest first",
          description: "Every appeal that was published (open, closed or archived), newest publication first, at most 500.",
          parameters: [langParameter],
          responses: { "200": cachedJson("The appeals.", "#/components/schemas/AppealList"), "304": notModified, "400": problem("A parameter cannot be used.") },
        },
        options: preflight("CORS preflight"),
      },
      "/api/appeals/{slug}": {
        parameters: [slugParameter],
        get: {
          operationId: "getAppeal",
          summary: "One appeal",
          parameters: [langParameter],
          responses: {
            "200": cachedJson("The appeal.", "#/components/schemas/Appeal"),
            "304": notModified,
            "400": problem("A parameter cannot be used."),
            "404": problem("No published appeal has this slug."),
          },
        },
        options: preflight("CORS preflight"),
      },
      "/api/appeals/{slug}/countries": {
        parameters: [slugParameter],
        get: {
          operationId: "getCountryCounts",
          summary: "Confirmed signatures by country",
          description: `Every confirmed signature counts, listed publicly or not; a null code is "not given". A country is named once ${publicCountryMinimum} signers have given it; those with fewer are counted together in otherCountries, so that a rare country cannot point to a signer. Country names are in English.`,
          responses: { "200": cachedJson("Counts by country, most first.", "#/components/schemas/CountryCounts"), "304": notModified, "404": problem("No published appeal has this slug.") },
        },
        options: preflight("CORS preflight"),
      },
      "/api/appeals/{slug}/signers": {
        parameters: [slugParameter],
        get: {
          operationId: "listSigners",
          summary: "The public signer list, newest first",
          description: "Only signers who chose to be listed (and whom no moderator hid). Follow nextCursor for the next page; new signatures arriving meanwhile do not shift the pages.",
          parameters: [
            { name: "cursor", in: "query", required: false, description: "nextCursor from the previous page.", schema: { type: "string", maxLength: 200 } },
            { name: "limit", in: "query", required: false, description: `Signers per page (default ${signerPageLimits.default}).`, schema: { type: "integer", minimum: 1, maximum: signerPageLimits.max } },
            { name: "q", in: "query", required: false, description: "Only signers whose name, role or city contains every word of this.", schema: { type: "string", maxLength: signerSearchLimits.maxLength } },
          ],
          responses: {
            "200": cachedJson("A page of signers.", "#/components/schemas/SignerPage"),
            "304": notModified,
            "400": problem("The cursor, limit or q cannot be used."),
            "404": problem("No published appeal has this slug."),
          },
        },
        options: preflight("CORS preflight"),
      },
      "/api/appeals/{slug}/count-series": {
        parameters: [slugParameter],
        get: {
          operationId: "getCountSeries",
          summary: "The count over time",
          description: `For each UTC hour or day: the signatures confirmed in it and the count standing at its end. Without from and to: the last 48 hours, or every day of the appeal's life. At most ${countSeriesLimits.hour} hours or ${countSeriesLimits.day} days in one answer.`,
          parameters: [
            { name: "interval", in: "query", required: false, description: "hour or day (default day).", schema: { type: "string", enum: ["hour", "day"] } },
            { name: "from", in: "query", required: false, description: "The first hour or day: a date (2026-06-01) or a time (2026-06-01T14:00:00Z).", schema: { type: "string" } },
            { name: "to", in: "query", required: false, description: "The last hour or day (included): a date or a time. Default: now.", schema: { type: "string" } },
          ],
          responses: {
            "200": cachedJson("The series, oldest first.", "#/components/schemas/CountSeries"),
            "304": notModified,
            "400": problem("interval, from or to cannot be used, or the span is too long."),
            "404": problem("No published appeal has this slug."),
          },
        },
        options: preflight("CORS preflight"),
      },
      "/api/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This description",
          responses: { "200": { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object", required: ["openapi", "paths"] } } } } },
        },
      },
    },
    components: {
      schemas: {
        Appeal: {
          type: "object",
          additionalProperties: false,
          required: ["slug", "title", "language", "languages", "state", "goal", "count", "publishedOn", "closesAt", "url"],
          properties: {
            slug: { type: "string" },
            title: { type: "string" },
            language: { type: "string", description: "The language of title." },
            languages: { type: "array", items: { type: "string" }, description: "Every language the appeal's text exists in." },
            state: { type: "string", enum: ["open", "closed"], description: "open while it takes signatures." },
            goal: nullable("integer", { minimum: 1, description: "The number of signatures it aims for, if any." }),
            count: { type: "integer", minimum: 0, description: "Confirmed signatures." },
            publishedOn: nullable("string", { format: "date", description: "UTC day of publication." }),
            closesAt: nullable("string", { format: "date-time", description: "When it stops taking signatures, if a deadline is set." }),
            url: { type: "string", format: "uri", description: "The appeal's page." },
          },
        },
        AppealList: {
          type: "object",
          additionalProperties: false,
          required: ["appeals"],
          properties: { appeals: { type: "array", items: { $ref: "#/components/schemas/Appeal" } } },
        },
        CountryCounts: {
          type: "object",
          additionalProperties: false,
          required: ["slug", "count", "countries", "otherCountries"],
          properties: {
            slug: { type: "string" },
            count: { type: "integer", minimum: 0 },
            otherCountries: {
              type: "object",
              additionalProperties: false,
              required: ["count", "eachFewerThan"],
              description: "Signatures from the countries too small to name, together.",
              properties: {
                count: { type: "integer", minimum: 0 },
                eachFewerThan: { type: "integer", const: publicCountryMinimum, description: "Each of these countries has fewer signatures than this." },
              },
            },
            countries: {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["code", "name", "count"],
                properties: {
                  code: nullable("string", { pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2; null: not given." }),
                  name: nullable("string", { description: "In English; null: not given." }),
                  count: { type: "integer", minimum: 1 },
                },
              },
            },
          },
        },
        Signer: {
          type: "object",
          additionalProperties: false,
          required: ["name", "role", "city", "country", "comment", "signedAt"],
          properties: {
            name: { type: "string" },
            role: nullable("string"),
            city: nullable("string"),
            country: nullable("string", { pattern: "^[A-Z]{2}$" }),
            comment: nullable("string"),
            signedAt: { type: "string", format: "date-time", description: "When the signature was confirmed." },
          },
        },
        SignerPage: {
          type: "object",
          additionalProperties: false,
          required: ["slug", "signers", "nextCursor"],
          properties: {
            slug: { type: "string" },
            signers: { type: "array", items: { $ref: "#/components/schemas/Signer" } },
            nextCursor: nullable("string", { description: "Pass as cursor for the next page; null on the last page." }),
          },
        },
        CountSeries: {
          type: "object",
          additionalProperties: false,
          required: ["slug", "interval", "from", "to", "buckets"],
          properties: {
            slug: { type: "string" },
            interval: { type: "string", enum: ["hour", "day"] },
            from: { type: "string", format: "date-time", description: "Start of the first bucket." },
            to: { type: "string", format: "date-time", description: "End of the last bucket (excluded)." },
            buckets: {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["start", "confirmations", "total"],
                properties: {
                  start: { type: "string", format: "date-time" },
                  confirmations: { type: "integer", minimum: 0, description: "Signatures confirmed in this hour or day (and not withdrawn or invalidated since)." },
                  total: { type: "integer", minimum: 0, description: "The count at the end of this hour or day." },
                },
              },
            },
          },
        },
        Problem: {
          type: "object",
          additionalProperties: false,
          required: ["error"],
          properties: {
            error: {
              type: "object",
              additionalProperties: false,
              required: ["status", "message"],
              properties: { status: { type: "integer" }, message: { type: "string", description: "What to change, in English." } },
            },
          },
        },
      },
    },
  };
}
