// The dashboard's words for numbers and dates, apart from the page: a metric's value in its unit
// (counts with thousands separators, bytes as KB/MB/GB, seconds as "4 min"), an axis tick, and a
// period's name. The server writes the same words into the HTML (analytics/dashboard.py) for the
// totals and the data tables; these are for what the charts draw and the legend shows as the
// pointer moves, which the server cannot know in advance.

const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const BYTE_UNITS = [
  ["GB", 1024 ** 3],
  ["MB", 1024 ** 2],
  ["KB", 1024],
];

/** One decimal below ten ("1.5 MB"), none above ("12 MB"), no trailing ".0". */
function short(value) {
  return value < 10 ? ONE_DECIMAL.format(value) : COUNT.format(value);
}

export function formatBytes(size) {
  for (const [unit, scale] of BYTE_UNITS) {
    if (size >= scale) return `${short(size / scale)} ${unit}`;
  }
  return `${COUNT.format(size)} ${size === 1 ? "byte" : "bytes"}`;
}

export function formatSeconds(seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${short(seconds / 3600)} h`;
  const days = seconds / 86400;
  return `${short(days)} ${days === 1 ? "day" : "days"}`;
}

/** A value of `unit` ("count", "bytes" or "seconds") in words; "—" where there is none. */
export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (unit === "bytes") return formatBytes(value);
  if (unit === "seconds") return formatSeconds(value);
  return COUNT.format(value);
}

/** An axis tick: a fraction of a message, byte or second names nothing (left blank). */
export function formatTick(value, unit) {
  if (!Number.isInteger(value)) return "";
  return formatValue(value, unit);
}

/** "2026-12-06" as midnight UTC: the charts draw and name days in UTC, so no reader's time
 * zone moves a day to its neighbour. */
export function parseDay(day) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date));
}

/** Seconds since the epoch of a day, for uPlot's x axis. */
export function daySeconds(day) {
  return parseDay(day).getTime() / 1000;
}

/** A period's name: "6 Dec 2026", "Week of 30 Nov 2026", "Dec 2026". */
export function periodLabel(day, interval) {
  const when = parseDay(day);
  const month = MONTHS[when.getUTCMonth()];
  if (interval === "month") return `${month} ${when.getUTCFullYear()}`;
  const named = `${when.getUTCDate()} ${month} ${when.getUTCFullYear()}`;
  return interval === "week" ? `Week of ${named}` : named;
}

/** A short tick under the chart: "6 Dec", "Dec 2026" for months. */
export function tickLabel(seconds, interval) {
  const when = new Date(seconds * 1000);
  const month = MONTHS[when.getUTCMonth()];
  if (interval === "month") return `${month} ${String(when.getUTCFullYear()).slice(2)}`;
  return `${when.getUTCDate()} ${month}`;
}
