// One card's chart as data, apart from drawing it: uPlot's columns (x, then one array per line),
// the lines' names, and the words for one period as the pointer or the arrow keys land on it.
// The previous period is drawn against the current one by offset (its first period under the
// current first period), so "the same point last time" sits straight below the pointer.

import { daySeconds, formatValue, periodLabel } from "./format.js";

const DAY = 86400;

/** The x of the `n`th period after `first` (a "YYYY-MM-DD" period start). */
export function nthPeriod(first, n, interval) {
  if (interval === "month") {
    const [year, month] = first.split("-").map(Number);
    return Date.UTC(year, month - 1 + n, 1) / 1000;
  }
  return daySeconds(first) + n * (interval === "week" ? 7 : 1) * DAY;
}

/** Whether the metric's points say whose they are (messages: people's and bots'). */
export function isSplit(metric) {
  return metric.points.length > 0 && "people" in metric.points[0];
}

/**
 * The columns of a metric of the overview (`points` and `previous` of {t, value}, messages with
 * `people` and `bots` as well). Where the previous period has more points than the current one
 * (today's figures are not counted yet), the x axis goes on past the current line's end.
 */
export function chartData(metric) {
  const { points, previous, interval } = metric;
  const length = Math.max(points.length, previous.length);
  const first = points[0]?.t ?? previous[0]?.t;
  const x = Array.from({ length }, (_, n) => (n < points.length ? daySeconds(points[n].t) : nthPeriod(first, n, interval)));
  const at = (list, key) => Array.from({ length }, (_, n) => (n < list.length ? list[n][key] ?? null : null));
  // Messages: all of them against the previous period's all, and the bots' part beneath.
  const split = isSplit(metric);
  const lines = [{ key: "current", label: split ? "All messages" : "This period", values: at(points, "value") }];
  if (split) lines.push({ key: "bots", label: "By bots", values: at(points, "bots") });
  lines.push({ key: "previous", label: "Previous period", values: at(previous, "value") });
  return { x, lines, columns: [x, ...lines.map((line) => line.values)] };
}

/** The tooltip's rows at `index`: each line's value, and for messages the people's part too;
 * the previous period's row is named by its own period. */
export function tipRows(metric, data, index) {
  const { unit, interval } = metric;
  const rows = [];
  for (const line of data.lines) {
    if (line.key === "previous") {
      const before = metric.previous[index];
      rows.push({ key: "previous", label: before ? periodLabel(before.t, interval) : line.label, value: formatValue(line.values[index], unit) });
      continue;
    }
    rows.push({ key: line.key, label: line.label, value: formatValue(line.values[index], unit) });
    if (line.key === "current" && isSplit(metric)) {
      rows.push({ key: "people", label: "By people", value: formatValue(metric.points[index]?.people ?? null, unit) });
    }
  }
  return rows;
}

/** What one period says, for the readout the arrow keys move: "6 Dec 2026: 120 (previous
 * period, 6 Nov 2026: 98)". */
export function periodWords(metric, index) {
  const { points, previous, interval, unit } = metric;
  const parts = [];
  const point = points[index];
  if (point) {
    const values =
      isSplit(metric)
        ? `${formatValue(point.people, unit)} by people, ${formatValue(point.bots, unit)} by bots`
        : formatValue(point.value, unit);
    parts.push(`${periodLabel(point.t, interval)}: ${values}`);
  } else {
    parts.push("Not counted yet");
  }
  const before = previous[index];
  if (before) parts.push(`(previous period, ${periodLabel(before.t, interval)}: ${formatValue(before.value, unit)})`);
  return parts.join(" ");
}

/** Up to `room` evenly spread indexes of `count` points, always the first (axis ticks). */
export function thinned(count, room) {
  if (count <= 0) return [];
  const step = Math.max(1, Math.ceil(count / Math.max(1, room)));
  const found = [];
  for (let n = 0; n < count; n += step) found.push(n);
  return found;
}
