import { useIntl } from "react-intl";
import type { MessageId } from "./i18n";

type Values = Record<string, string | number | Date>;
type RichValues = Record<string, React.ReactNode | ((chunks: React.ReactNode[]) => React.ReactNode)>;

/** `t("signForm.submit")` in components: every visible string goes through here. */
export function useT() {
  const intl = useIntl();
  const t = (id: MessageId, values?: Values) => intl.formatMessage({ id }, values) as string;
  /** For messages with markup placeholders such as <link>…</link>. */
  const rich = (id: MessageId, values: RichValues) => intl.formatMessage({ id }, values as never) as React.ReactNode;
  // In UTC, so that the server's render and the browser's agree (and a calendar date stored
  // as midnight UTC is the same day everywhere).
  const date = (value: Date) => intl.formatDate(value, { dateStyle: "long", timeZone: "UTC" });
  const number = (value: number) => intl.formatNumber(value);
  // dateStyle cannot be combined with timeZoneName, so the zone is named by hand.
  const dateTime = (value: Date) => `${intl.formatDate(value, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
  /** A date or time in the reader's language, in UTC, with the given parts (chart axes, tables). */
  const utc = (value: Date, options: Intl.DateTimeFormatOptions) => intl.formatDate(value, { ...options, timeZone: "UTC" });
  const percent = (value: number) => intl.formatNumber(value, { style: "percent", maximumFractionDigits: 1 });
  return { t, rich, date, dateTime, number, utc, percent, locale: intl.locale };
}
