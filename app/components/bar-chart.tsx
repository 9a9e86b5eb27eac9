import { useT } from "~/i18n/react";

/**
 * A bar chart drawn on the server as SVG: it shows without JavaScript and ships no chart code to
 * the browser. It scales with its viewBox to any width; on narrow screens the CSS hides every
 * other axis label and enlarges the rest (app.css, .bar-chart), so labels stay readable and never
 * overlap. The figures are also in a table below it (the text alternative), behind a <details>.
 */
export type ChartBar = { start: Date; signatures: number };

type Props = {
  /** Prefix of the ids inside: the section's heading must be `${id}-heading`. */
  id: string;
  bars: ChartBar[];
  /** The axis label under a bar, or null for none there. */
  axisLabel: (bar: ChartBar, index: number) => string | null;
  /** What a bar stands for in the table and its tooltip ("5 Dec 2026, 14:00"). */
  period: (bar: ChartBar) => string;
  periodHeader: string;
  summary: string;
};

const width = 600;
const height = 240;
const plot = { left: 4, right: width - 4, top: 24, bottom: height - 34 };

/** 0, and about four round steps (1, 2 or 5 × 10ⁿ, whole signatures) up to at least the largest bar. */
export function valueTicks(largest: number): number[] {
  if (largest <= 0) return [0];
  const rough = largest / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, ([1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude));
  const ticks = [0];
  while (ticks[ticks.length - 1]! < largest) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

export function BarChart({ id, bars, axisLabel, period, periodHeader, summary }: Props) {
  const { t, number } = useT();
  const ticks = valueTicks(Math.max(0, ...bars.map((bar) => bar.signatures)));
  const top = Math.max(1, ticks[ticks.length - 1]!);
  const slot = (plot.right - plot.left) / Math.max(1, bars.length);
  // A gap between bars while they are wide enough to show one; thousands of days become a solid area.
  const gap = slot >= 4 ? Math.min(slot * 0.2, 6) : 0;
  const y = (value: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);
  const isEmpty = bars.every((bar) => bar.signatures === 0);

  return (
    <>
      <p id={`${id}-summary`}>{summary}</p>
      <svg className="bar-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-heading ${id}-summary`} preserveAspectRatio="xMidYMid meet">
        {ticks.map((tick) => (
          <g key={tick} className="chart-grid">
            <line x1={plot.left} x2={plot.right} y1={y(tick)} y2={y(tick)} className={tick === 0 ? "chart-baseline" : undefined} />
            {tick > 0 ? (
              <text x={plot.left + 2} y={y(tick) - 4} className="chart-value-label">
                {number(tick)}
              </text>
            ) : null}
          </g>
        ))}
        {bars.map((bar, index) =>
          bar.signatures > 0 ? (
            <rect
              key={bar.start.toISOString()}
              className="chart-bar"
              x={plot.left + index * slot + gap / 2}
              y={y(bar.signatures)}
              width={Math.max(slot - gap, 0.5)}
              height={plot.bottom - y(bar.signatures)}
            >
              <title>{`${period(bar)}: ${number(bar.signatures)}`}</title>
            </rect>
          ) : null,
        )}
        {axisLabels(bars, axisLabel, slot).map((label) => (
          <g key={`label-${label.x}`} className={label.minor ? "chart-axis-label minor" : "chart-axis-label"}>
            <line x1={label.x} x2={label.x} y1={plot.bottom} y2={plot.bottom + 5} />
            <text x={label.x} y={height - 8} textAnchor={label.anchor}>
              {label.text}
            </text>
          </g>
        ))}
        {isEmpty ? (
          <text x={width / 2} y={(plot.top + plot.bottom) / 2} textAnchor="middle" className="chart-empty">
            {t("chart.noSignaturesYet")}
          </text>
        ) : null}
      </svg>
      <details className="chart-table">
        <summary>{t("chart.showTable")}</summary>
        <table className="data-table keeps-columns">
          <caption className="visually-hidden">{summary}</caption>
          <thead>
            <tr>
              <th scope="col">{periodHeader}</th>
              <th scope="col" className="numeric">
                {t("chart.columnSignatures")}
              </th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.start.toISOString()}>
                <td>{period(bar)}</td>
                <td className="numeric">{number(bar.signatures)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

/** Roughly how wide a label is, in the chart's units, at the wide-screen font size (15, app.css). */
const labelWidth = (text: string) => text.length * 15 * 0.6;

/**
 * The axis labels that fit: walking back from the newest bar, a label is kept only if it clears
 * the one kept after it, so none overlap however many bars there are. Every other kept label is
 * "minor" and gives way on narrow screens, where the text is larger (the newest always stays).
 */
function axisLabels(bars: ChartBar[], axisLabel: Props["axisLabel"], slot: number) {
  const kept: { x: number; text: string; anchor: "start" | "middle" | "end"; minor: boolean }[] = [];
  let leftEdgeOfNext = Infinity;
  for (let index = bars.length - 1; index >= 0; index--) {
    const text = axisLabel(bars[index]!, index);
    if (text === null) continue;
    const x = plot.left + (index + 0.5) * slot;
    const labelSize = labelWidth(text);
    // Near an edge a label is aligned to it instead of centred, so it stays inside the chart.
    const anchor = x - labelSize / 2 < 0 ? "start" : x + labelSize / 2 > width ? "end" : "middle";
    const left = anchor === "start" ? x : anchor === "end" ? x - labelSize : x - labelSize / 2;
    const right = left + labelSize;
    if (right > leftEdgeOfNext - 8) continue;
    kept.push({ x, text, anchor, minor: kept.length % 2 === 1 });
    leftEdgeOfNext = left;
  }
  return kept;
}

/**
 * Which bars get an axis label: about `most` of them, evenly spaced and counted back from the
 * newest bar, so "now" is always labelled.
 */
export function labelledEvery(count: number, most: number): (index: number) => boolean {
  const step = Math.max(1, Math.ceil(count / most));
  return (index) => (count - 1 - index) % step === 0;
}
