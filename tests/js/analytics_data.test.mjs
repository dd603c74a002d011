// The analytics page's words and chart data (static/js/analytics/format.js, chart_data.js): units,
// period names, the previous period aligned by offset, and the readout of one period.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { chartData, nthPeriod, periodWords, thinned, tipRows } from "../../static/js/analytics/chart_data.js";
import { formatTick, formatValue, periodLabel, tickLabel } from "../../static/js/analytics/format.js";

describe("values in their units", () => {
  test("counts have thousands separators, and nothing is a dash", () => {
    assert.equal(formatValue(1234567, "count"), "1,234,567");
    assert.equal(formatValue(0, "count"), "0");
    assert.equal(formatValue(null, "count"), "—");
  });

  test("bytes are KB, MB and GB, with a decimal below ten", () => {
    assert.equal(formatValue(512, "bytes"), "512 bytes");
    assert.equal(formatValue(1536, "bytes"), "1.5 KB");
    assert.equal(formatValue(12 * 1024 ** 2 + 1, "bytes"), "12 MB");
    assert.equal(formatValue(3 * 1024 ** 3, "bytes"), "3 GB");
  });

  test("seconds read as seconds, minutes, hours and days", () => {
    assert.equal(formatValue(42, "seconds"), "42 s");
    assert.equal(formatValue(240, "seconds"), "4 min");
    assert.equal(formatValue(5400, "seconds"), "1.5 h");
    assert.equal(formatValue(86400, "seconds"), "1 day");
    assert.equal(formatValue(3 * 86400, "seconds"), "3 days");
  });

  test("count ticks between whole numbers are left blank", () => {
    assert.equal(formatTick(0.5, "count"), "");
    assert.equal(formatTick(2000, "count"), "2,000");
    assert.equal(formatTick(2048, "bytes"), "2 KB");
  });
});

describe("periods", () => {
  test("days, weeks and months are named as the page names them", () => {
    assert.equal(periodLabel("2026-12-06", "day"), "6 Dec 2026");
    assert.equal(periodLabel("2026-11-30", "week"), "Week of 30 Nov 2026");
    assert.equal(periodLabel("2026-12-01", "month"), "Dec 2026");
    assert.equal(tickLabel(Date.UTC(2026, 11, 6) / 1000, "day"), "6 Dec");
    assert.equal(tickLabel(Date.UTC(2026, 11, 1) / 1000, "month"), "Dec 26");
  });

  test("the nth period after a first one steps by day, week or calendar month", () => {
    assert.equal(nthPeriod("2026-12-30", 3, "day"), Date.UTC(2027, 0, 2) / 1000);
    assert.equal(nthPeriod("2026-11-30", 2, "week"), Date.UTC(2026, 11, 14) / 1000);
    assert.equal(nthPeriod("2026-11-01", 3, "month"), Date.UTC(2027, 1, 1) / 1000);
  });

  test("ticks are spread evenly and always start at the first point", () => {
    assert.deepEqual(thinned(7, 10), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(thinned(30, 5), [0, 6, 12, 18, 24]);
    assert.deepEqual(thinned(0, 5), []);
  });
});

describe("chart data", () => {
  const metric = {
    interval: "day",
    unit: "count",
    points: [
      { t: "2026-12-01", value: 5 },
      { t: "2026-12-02", value: 7 },
    ],
    previous: [
      { t: "2026-11-28", value: 4 },
      { t: "2026-11-29", value: 9 },
      { t: "2026-11-30", value: 1 },
    ],
  };

  test("the previous period lines up by offset and the x axis runs past today's gap", () => {
    const data = chartData(metric);
    assert.deepEqual(data.x, [1, 2, 3].map((day) => Date.UTC(2026, 11, day) / 1000));
    assert.deepEqual(
      data.lines.map((line) => [line.key, line.values]),
      [
        ["current", [5, 7, null]],
        ["previous", [4, 9, 1]],
      ],
    );
    assert.equal(data.columns.length, 3);
  });

  test("messages are drawn as all of them and the bots' part, against the previous all", () => {
    const messages = {
      ...metric,
      points: [{ t: "2026-12-01", value: 6, people: 5, bots: 1 }],
      previous: [{ t: "2026-11-30", value: 2 }],
    };
    const data = chartData(messages);
    assert.deepEqual(
      data.lines.map((line) => line.key),
      ["current", "bots", "previous"],
    );
    assert.deepEqual(
      tipRows(messages, data, 0).map((row) => [row.label, row.value]),
      [
        ["All messages", "6"],
        ["By people", "5"],
        ["By bots", "1"],
        ["30 Nov 2026", "2"],
      ],
    );
    assert.equal(periodWords(messages, 0), "1 Dec 2026: 5 by people, 1 by bots (previous period, 30 Nov 2026: 2)");
  });

  test("a period not counted yet says so", () => {
    assert.equal(periodWords(metric, 2), "Not counted yet (previous period, 30 Nov 2026: 1)");
  });
});
