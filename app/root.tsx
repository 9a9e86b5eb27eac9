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
  useRouteLoaderData,
} from "@remix-run/react";
import { IntlProvider } from "react-intl";
import { useNonce } from "~/components/nonce";
import { useIsStandalonePage } from "~/components/standalone-page";
import { defaultLocale, messagesFor } from "~/i18n/i18n";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import styles from "~/styles/app.css";
import sharingStyles from "~/styles/sharing.css";

export const links: LinksFunction = () => [
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
  // publicUrl: the absolute addresses that shared links and Open Graph tags must carry.
  return { locale: context.locale, publicUrl: context.publicUrl };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data?.locale ?? defaultLocale;
  const nonce = useNonce();
  const standalone = useIsStandalonePage();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <IntlProvider locale={locale} defaultLocale={defaultLocale} messages={messagesFor(locale)}>
          {standalone ? <main id="main" className="standalone">{children}</main> : <Frame>{children}</Frame>}
        </IntlProvider>
        {standalone ? null : (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        )}
      </body>
    </html>
  );
}

function Frame({ children }: { children: React.ReactNode }) {
  const { t } = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("site.skipToContent")}
      </a>
      <header className="site-header">
        <Link to="/" className="site-name">
          {t("site.name")}
        </Link>
        <span className="site-tagline">{t("site.tagline")}</span>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>{t("site.footer")}</p>
        <p className="footer-links">
          <Link to="/privacy">{t("site.privacy")}</Link>
          <Link to="/imprint">{t("site.imprint")}</Link>
          <Link to="/archive">{t("home.archiveLink")}</Link>
          <Link to="/sign-in">{t("site.forOrganizers")}</Link>
        </p>
      </footer>
    </>
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
