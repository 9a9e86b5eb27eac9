import type { CountryBreakdownRow } from "~/domain/open-data.server";
import { useT } from "~/i18n/react";
import { valueTicks } from "./bar-chart";

/**
 * Where signers come from: horizontal bars drawn on the server as SVG (no JavaScript, no chart
 * code in the browser), the largest countries and the rest together, then every country in a
 * table — which is also the chart's text alternative. The vertical bar chart (bar-chart.tsx)
 * draws time on its axis; this one draws names, each on its own line above its bar, so long
 * names never collide on a phone, where the text is drawn larger (app.css, .bar-chart).
 */
const barsShown = 10;
const width = 600;
const rowHeight = 52;
const barHeight = 16;
const top = 8;

export function CountryBreakdown({ countries, total }: { countries: CountryBreakdownRow[]; total: number }) {
  const { t, number } = useT();
  if (countries.length === 0) return <p>{t("openData.countriesNone")}</p>;
  const nameOf = (row: CountryBreakdownRow) => row.name ?? t("chart.countryNotGiven");
  // The countries with the most signatures, all of them when they tie; none named when many tie (one signature each, say).
  const leaders = countries.filter((row) => row.count === countries[0]!.count);
  const shown = countries.slice(0, barsShown).map((row) => ({ key: row.code ?? "", label: nameOf(row), count: row.count }));
  const rest = countries.slice(barsShown);
  if (rest.length > 0) shown.push({ key: "others", label: t("openData.otherCountries", { count: rest.length }), count: rest.reduce((sum, row) => sum + row.count, 0) });
  const ticks = valueTicks(Math.max(...shown.map((bar) => bar.count)));
  const scaleTop = Math.max(1, ticks[ticks.length - 1]!);
  // Room on the right for the figure after the longest bar.
  const barSpace = width - 90;
  const height = top + shown.length * rowHeight;

  return (
    <>
      <p id="countries-summary">
        {t("openData.countriesSummary", { count: total })}
        {leaders.length <= 3 ? <> {t("openData.countriesMost", { most: leaders.map(nameOf).join(", ") })}</> : null}
      </p>
      <svg className="bar-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="countries-heading countries-summary" preserveAspectRatio="xMidYMid meet">
        {shown.map((bar, index) => {
          const y = top + index * rowHeight;
          const length = Math.max(1, (bar.count / scaleTop) * barSpace);
          return (
            <g key={bar.key}>
              <text x={0} y={y + 18}>
                {bar.label}
              </text>
              <rect className="chart-bar" x={0} y={y + 26} width={length} height={barHeight}>
                <title>{`${bar.label}: ${number(bar.count)}`}</title>
              </rect>
              <text x={length + 6} y={y + 26 + barHeight - 2}>
                {number(bar.count)}
              </text>
            </g>
          );
        })}
      </svg>
      <CountryTable rows={countries.map((row) => ({ key: row.code ?? "", name: nameOf(row), count: row.count }))} total={total} caption={t("openData.countriesHeading")} />
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
