import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BarChart, labelledEvery, type ChartBar } from "~/components/bar-chart";
import { CountryTable } from "~/components/country-breakdown";
import { getAppealDashboard } from "~/domain/dashboard.server";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { requireOrganizer } from "~/infra/organizer-guard.server";

export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "dashboard.title" }) }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const dashboard = await getAppealDashboard(context.db, params.id ?? "");
  if (!dashboard) throw data(null, { status: 404 });
  return { dashboard };
}

/** Dates survive the trip from the loader as Date or as ISO text, depending on how the page was loaded. */
const asBars = (buckets: { start: Date | string; signatures: number }[]): ChartBar[] => buckets.map((bucket) => ({ start: new Date(bucket.start), signatures: bucket.signatures }));

function busiest(bars: ChartBar[]): ChartBar | null {
  return bars.reduce<ChartBar | null>((most, bar) => (bar.signatures > (most?.signatures ?? 0) ? bar : most), null);
}

const total = (bars: ChartBar[]) => bars.reduce((sum, bar) => sum + bar.signatures, 0);

export default function AppealDashboardPage() {
  const { dashboard } = useLoaderData<typeof loader>();
  const { t, number, percent, utc, countryName } = useT();
  const perHour = asBars(dashboard.perHour);
  const perDay = asBars(dashboard.perDay);
  const longLife = perDay.length > 366;
  const hourLabelled = (bar: ChartBar) => bar.start.getUTCHours() % 6 === 0;
  const dayLabelled = labelledEvery(perDay.length, 8);
  const hourPeriod = (bar: ChartBar) => utc(bar.start, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dayPeriod = (bar: ChartBar) => utc(bar.start, { day: "numeric", month: "short", year: "numeric" });
  const busiestHour = busiest(perHour);
  const busiestDay = busiest(perDay);
  const countrySignatures = dashboard.confirmed;

  return (
    <div className="dashboard">
      <section aria-labelledby="figures-heading" className="card">
        <h2 id="figures-heading">{t("dashboard.figuresHeading")}</h2>
        <dl className="figures">
          <div>
            <dt>{t("dashboard.confirmed")}</dt>
            <dd>{number(dashboard.confirmed)}</dd>
          </div>
          <div>
            <dt>{t("dashboard.pending")}</dt>
            <dd>{number(dashboard.pending)}</dd>
          </div>
          <div>
            <dt>{t("dashboard.confirmationRate")}</dt>
            <dd>{dashboard.confirmationRate === null ? t("dashboard.noRate") : percent(dashboard.confirmationRate)}</dd>
          </div>
        </dl>
        <p className="dashboard-note">{t("dashboard.rateExplained")}</p>
        <p className="dashboard-note">{t("dashboard.utcNote")}</p>
      </section>

      <div className="dashboard-charts">
        <section aria-labelledby="per-hour-heading" className="card section">
          <h2 id="per-hour-heading">{t("dashboard.perHourHeading")}</h2>
          <BarChart
            id="per-hour"
            bars={perHour}
            axisLabel={(bar) => (hourLabelled(bar) ? (bar.start.getUTCHours() === 0 ? utc(bar.start, { day: "numeric", month: "short" }) : utc(bar.start, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })) : null)}
            period={hourPeriod}
            periodHeader={t("dashboard.columnHour")}
            summary={t("dashboard.perHourSummary", { count: total(perHour), most: busiestHour?.signatures ?? 0, when: busiestHour ? hourPeriod(busiestHour) : "" })}
          />
        </section>

        <section aria-labelledby="per-day-heading" className="card section">
          <h2 id="per-day-heading">{t("dashboard.perDayHeading", { date: perDay[0] ? dayPeriod(perDay[0]) : "" })}</h2>
          <BarChart
            id="per-day"
            bars={perDay}
            axisLabel={(bar, index) => (dayLabelled(index) ? utc(bar.start, longLife ? { month: "short", year: "numeric" } : { day: "numeric", month: "short" }) : null)}
            period={dayPeriod}
            periodHeader={t("dashboard.columnDay")}
            summary={t("dashboard.perDaySummary", { count: total(perDay), days: perDay.length, most: busiestDay?.signatures ?? 0, when: busiestDay ? dayPeriod(busiestDay) : "" })}
          />
        </section>
      </div>

      <div className="dashboard-lists">
        <section aria-labelledby="countries-heading" className="card section">
          <h2 id="countries-heading">{t("dashboard.countriesHeading")}</h2>
          {dashboard.topCountries.length === 0 ? (
            <p>{t("dashboard.countriesNone")}</p>
          ) : (
            <CountryTable
              rows={dashboard.topCountries.map((row) => ({ key: row.country ?? "", name: row.country ? countryName(row.country) : t("chart.countryNotGiven"), count: row.signatures }))}
              total={countrySignatures}
            />
          )}
        </section>

        <section aria-labelledby="latest-heading" className="card section">
          <h2 id="latest-heading">{t("dashboard.latestHeading")}</h2>
          {dashboard.latestSigners.length === 0 ? (
            <p>{t("dashboard.latestNone")}</p>
          ) : (
            <>
              <div>
                <table className="data-table latest-signers">
                  <thead>
                    <tr>
                      <th scope="col">{t("dashboard.columnName")}</th>
                      <th scope="col">{t("dashboard.columnRole")}</th>
                      <th scope="col">{t("chart.columnCountry")}</th>
                      <th scope="col">{t("dashboard.columnWhen")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {dashboard.latestSigners.map((signer) => (
                      <tr key={signer.id}>
                        <td className="name breaks-anywhere">{signer.fullName}</td>
                        <td className="breaks-anywhere">{signer.role}</td>
                        <td>{signer.country ? countryName(signer.country) : ""}</td>
                        <td>{utc(new Date(signer.confirmedAt), { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" })}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="dashboard-note">{t("dashboard.latestNote")}</p>
            </>
          )}
        </section>
      </div>
    </div>
  );
}
