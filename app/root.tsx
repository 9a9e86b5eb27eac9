import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect } from "react";
import { useNonce } from "~/components/nonce";
import { useIsStandalonePage } from "~/components/standalone-page";
import { languageOf } from "~/i18n/i18n";
import { interfaceLanguages, publicMessagesScript } from "~/i18n/languages.server";
import { PageLanguageFallback, useFallbackPageLanguage } from "~/i18n/page-language";
import { pageTitle } from "~/i18n/meta";
import { messagesLoadedByPage, messagesOfVersion, pageMessagesScriptId } from "~/i18n/public-messages";
import { ServerFormattedText } from "~/i18n/server-formatted";
import { TranslationsProvider, useT } from "~/i18n/react";
import fontStyles from "@fontsource-variable/inter/wght.css";
import styles from "~/styles/app.css";
import sharingStyles from "~/styles/sharing.css";

export const links: LinksFunction = () => [
  // Inter, served by this site: one typeface for Latin and Cyrillic, Kazakh letters included.
  { rel: "stylesheet", href: fontStyles },
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: sharingStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/** Pages set their own title; this one is for error pages (and any page that forgets). */
export const meta: MetaFunction = ({ error, matches }) => {
  if (!error) return [{ title: pageTitle(matches) }];
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return [{ title: pageTitle(matches, { id: errorPageTexts(status)[0] }) }];
};

function errorPageTexts(status: number) {
  if (status === 404) return ["errorPage.notFoundTitle", "errorPage.notFoundBody"] as const;
  if (status === 503) return ["errorPage.unavailableTitle", "errorPage.unavailableBody"] as const;
  if (status >= 400 && status < 500) return ["errorPage.badRequestTitle", "errorPage.badRequestBody"] as const;
  return ["errorPage.title", "errorPage.body"] as const;
}

export async function loader({ context }: LoaderFunctionArgs) {
  const messages = publicMessagesScript(context.locale);
  return {
    locale: context.locale,
    // The reader's messages come as a script of their own, kept by the browser (public-messages.ts).
    messages: { version: messages.version, path: messages.path },
    languages: interfaceLanguages,
    contactEmail: context.site.operator.email,
    // The absolute addresses that shared links and Open Graph tags must carry.
    publicUrl: context.publicUrl,
  };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const fallback = useFallbackPageLanguage();
  const locale = data?.locale ?? fallback.locale;
  // A page of another language reached without reloading (or after a new release) has not
  // loaded its messages: it shows the loaded ones while it reloads to get them.
  const ownMessages = data ? messagesOfVersion(data.messages.version) : null;
  const loadedMessages = messagesLoadedByPage();
  const messages = (data ? (ownMessages ?? loadedMessages) : null) ?? fallback.messages;
  const messagesMissing = Boolean(data) && ownMessages === null && loadedMessages !== null;
  useEffect(() => {
    if (messagesMissing) window.location.reload();
  }, [messagesMissing]);
  const nonce = useNonce();
  const standalone = useIsStandalonePage();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {data && !standalone ? <script id={pageMessagesScriptId} src={data.messages.path} nonce={nonce} async suppressHydrationWarning /> : null}
      </head>
      <body>
        <TranslationsProvider value={{ locale, messages }}>
          {standalone ? (
            <main id="main" className="standalone">
              {children}
            </main>
          ) : (
            <Frame contactEmail={data?.contactEmail ?? null} languages={data?.languages ?? []}>
              {children}
            </Frame>
          )}
        </TranslationsProvider>
        {data ? null : <PageLanguageFallback language={{ locale, messages }} />}
        {standalone ? null : (
          <>
            <ServerFormattedText />
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        )}
      </body>
    </html>
  );
}

/** The site's name and navigation above every page, and who runs it below. */
function Frame({ children, contactEmail, languages }: { children: React.ReactNode; contactEmail: string | null; languages: Language[] }) {
  const { t } = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("site.skipToContent")}
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="site-name">
            <SiteMark />
            <span>{t("site.name")}</span>
          </Link>
          <nav className="site-nav" aria-label={t("site.primaryNavigation")}>
            <Link to="/">{t("site.appeals")}</Link>
            <Link to="/archive">{t("home.archiveLink")}</Link>
          </nav>
          <LanguageSwitcher languages={languages} />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="site-footer-inner">
          <p className="footer-name">
            <SiteMark />
            <span>{t("site.footer")}</span>
          </p>
          <ul className="footer-links">
            <li>
              <Link to="/">{t("site.appeals")}</Link>
            </li>
            <li>
              <Link to="/privacy">{t("site.privacy")}</Link>
            </li>
            <li>
              <Link to="/imprint">{t("site.imprint")}</Link>
            </li>
            {contactEmail ? (
              <li>
                <a href={`mailto:${contactEmail}`}>{t("site.contact")}</a>
              </li>
            ) : null}
            <li>
              <Link to="/archive">{t("home.archiveLink")}</Link>
            </li>
            <li>
              <Link to="/sign-in">{t("site.forOrganizers")}</Link>
            </li>
          </ul>
        </div>
      </footer>
    </>
  );
}

/** The mark beside the site's name (the same drawing as the favicon). */
function SiteMark() {
  return (
    <svg className="site-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="currentColor" />
      <path d="M7 20c3-6 5 2 8-3s4 4 7-1 3 2 3 2" fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      <path d="M7 25h18" stroke="#fff" strokeWidth="2" />
    </svg>
  );
}

/**
 * Plain links to this page in each interface language, each named in its own language; the
 * choice is remembered in a cookie (visitor-language.server.ts). They work without JavaScript.
 */
type Language = { code: string; name: string };

function LanguageSwitcher({ languages }: { languages: Language[] }) {
  const { t, locale } = useT();
  const location = useLocation();
  const current = languageOf(locale);
  const hrefFor = (language: string) => {
    const search = new URLSearchParams(location.search);
    search.set("lang", language);
    return `${location.pathname}?${search.toString()}`;
  };
  return (
    <nav className="language-switcher" aria-label={t("site.languageSwitcher")}>
      <ul>
        {languages.map(({ code, name }) => (
          <li key={code}>
            {code === current ? (
              <span aria-current="true" lang={code}>
                {name}
              </span>
            ) : (
              <a href={hrefFor(code)} lang={code} hrefLang={code}>
                {name}
              </a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [title, body] = errorPageTexts(status);
  return (
    <div className="page narrow">
      <h1>{t(title)}</h1>
      <p>{t(body)}</p>
      <p>
        <Link to="/">{t("errorPage.home")}</Link>
      </p>
    </div>
  );
}
