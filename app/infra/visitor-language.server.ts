import { parse, serialize } from "cookie";
import type { RequestHandler } from "express";
import { languageCookieName, resolveVisitorLanguage, type VisitorLanguage } from "~/i18n/languages.server";

const oneYearInSeconds = 365 * 24 * 60 * 60;

/**
 * Works out the visitor's language once per request (res.locals.locale and .chosenLanguage)
 * and remembers a choice made by a ?lang= link in a cookie, so the next page keeps it. The
 * cookie holds only a language tag: it is not a tracker and needs no consent.
 */
export function resolveLanguage({ secure }: { secure: boolean }): RequestHandler {
  return (req, res, next) => {
    const query = typeof req.query.lang === "string" ? req.query.lang : null;
    const cookie = parseCookies(req.headers.cookie)[languageCookieName];
    const acceptLanguage = req.get("accept-language");
    const language = resolveVisitorLanguage({ query, cookie, acceptLanguage });
    res.locals.locale = language.locale;
    res.locals.chosenLanguage = language.chosen;
    // Whether the cookie changed the answer: then the page is this visitor's, not one a shared cache may keep.
    res.locals.languageFromCookie = cookie !== undefined && !sameLanguage(language, resolveVisitorLanguage({ query, cookie: undefined, acceptLanguage }));
    // Remembered when a person opens a page, not when a crawler fetches a ?lang= image.
    const opensPage = (req.get("accept") ?? "").includes("text/html");
    if (opensPage && query !== null && language.chosen !== null && language.chosen !== cookie) {
      res.append("Set-Cookie", serialize(languageCookieName, language.chosen, { path: "/", maxAge: oneYearInSeconds, sameSite: "lax", secure, httpOnly: true }));
    }
    next();
  };
}

const sameLanguage = (a: VisitorLanguage, b: VisitorLanguage) => a.locale === b.locale && a.chosen === b.chosen;

function parseCookies(header: string | undefined): Record<string, string | undefined> {
  if (!header) return {};
  try {
    return parse(header);
  } catch {
    return {};
  }
}
