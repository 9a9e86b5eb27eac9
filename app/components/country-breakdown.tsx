import type { CSSProperties } from "react";
import { publicCountryMinimum } from "~/domain/countries";
import type { CountryBreakdownRow, PublicCountryCounts } from "~/domain/open-data.server";
import { useT } from "~/i18n/react";

/**
 * Where signers come from: a bar for each of the largest countries and one for the rest together,
 * then every country in a table — which is also the chart's text alternative. The bars are HTML
 * drawn on the server (no JavaScript, no chart code in the browser), not SVG: their names are
 * text at the page's own size, which wraps, where an SVG scaled down to a phone's width shrank
 * them to about 10 px. The vertical chart (bar-chart.tsx) keeps SVG for its time axis.
 */
const barsShown = 10;

export function CountryBreakdown({ breakdown, total }: { breakdown: PublicCountryCounts; total: number }) {
  const { t, number } = useT();
  const { countries, otherCountries } = breakdown;
  if (countries.length === 0 && otherCountries === 0) return <p>{t("openData.countriesNone")}</p>;
  const nameOf = (row: CountryBreakdownRow) => row.name ?? t("chart.countryNotGiven");
  // The countries with the most signatures, all of them when they tie; none named when many tie.
  const leaders = countries.filter((row) => row.count === countries[0]!.count);
  // Named countries first, then the rest together, then "not given": neither of those is a country.
  const named = countries.filter((row) => row.code !== null);
  const notGiven = countries.find((row) => row.code === null);
  const shown = named.slice(0, barsShown).map((row) => ({ key: row.code ?? "", label: nameOf(row), count: row.count }));
  // The named countries beyond the longest bars and the ones too small to name share one bar.
  const rest = named.slice(barsShown).reduce((sum, row) => sum + row.count, otherCountries);
  if (rest > 0) shown.push({ key: "others", label: t("openData.otherCountries"), count: rest });
  const rows = named.map((row) => ({ key: row.code ?? "", name: nameOf(row), count: row.count }));
  if (otherCountries > 0) rows.push({ key: "others", name: t("openData.smallCountries", { minimum: publicCountryMinimum }), count: otherCountries });
  if (notGiven) {
    shown.push({ key: "", label: nameOf(notGiven), count: notGiven.count });
    rows.push({ key: "", name: nameOf(notGiven), count: notGiven.count });
  }
  const longest = Math.max(1, ...shown.map((bar) => bar.count));

  return (
    <>
      <p id="countries-summary">
        {t("openData.countriesSummary", { count: total })}
        {leaders.length > 0 && leaders.length <= 3 ? <> {t("openData.countriesMost", { most: leaders.map(nameOf).join(", ") })}</> : null}
      </p>
      <div className="country-bars" role="img" aria-labelledby="countries-heading countries-summary">
        {shown.map((bar) => (
          <div className="country-bar" key={bar.key}>
            <span className="country-bar-name">{bar.label}</span>
            <span className="country-bar-line">
              {/* The longest bar fills the line but for room for its figure; each other is drawn to scale. */}
              <span className="country-bar-fill" style={{ "--share": bar.count / longest } as CSSProperties} />
              <span className="country-bar-count">{number(bar.count)}</span>
            </span>
          </div>
        ))}
      </div>
      <CountryTable rows={rows} total={total} caption={t("openData.countriesHeading")} />
      <p className="hint">{t("openData.countriesPrivacy", { minimum: publicCountryMinimum })}</p>
    </>
  );
}

/** Countries with their signatures and share of `total`: here, and on the organizers' dashboard. */
export function CountryTable({ rows, total, caption }: { rows: { key: string; name: string; count: number }[]; total: number; caption?: string }) {
  const { t, number, percent } = useT();
  return (
    <table className="data-table keeps-columns">
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          <th scope="col">{t("chart.columnCountry")}</th>
          <th scope="col" className="numeric">
            {t("chart.columnSignatures")}
          </th>
          <th scope="col" className="numeric">
            {t("chart.columnShare")}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <td>{row.name}</td>
            <td className="numeric">{number(row.count)}</td>
            <td className="numeric">{total > 0 ? percent(row.count / total) : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
