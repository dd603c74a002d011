// One card's chart, drawn with uPlot (vendored, passed in by dashboard.js): the range's line (for
// messages, people's and bots'), the previous period dashed and faded under it, a tooltip with
// the period and every value as the pointer moves, the arrow keys walking the periods for people
// who do not point (read out by the card's live region), and a width that follows the card.
// Colours are the brand's and the page's tokens, read as the browser resolves them.

import { chartData, periodWords, thinned, tipRows } from "./chart_data.js";
import { formatTick, formatValue, periodLabel, tickLabel } from "./format.js";

const HEIGHT = 180;
const WIDE_HEIGHT = 240;
// Room for one x label ("30 Nov"), in CSS pixels.
const TICK_ROOM = 64;
// Gridline steps that read well in each unit: whole counts (no "0.5 messages"), bytes by
// powers of two (1 MB, 2 MB, 4 MB), seconds by the clock (30 s, 5 min, 1 h).
const STEPS = { count: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500], bytes: [], seconds: [] };
for (let scale = 1000; scale <= 1e12; scale *= 10) STEPS.count.push(scale, 2 * scale, 2.5 * scale, 5 * scale);
for (let power = 0; power <= 50; power += 1) STEPS.bytes.push(2 ** power);
STEPS.seconds.push(1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200);
for (let days = 1; days <= 1024; days *= 2) STEPS.seconds.push(days * 86400);
// The least top of the y axis, so a flat zero still has a scale to sit on.
const LEAST_TOP = { count: 4, bytes: 1024, seconds: 60 };

/** A CSS colour (custom properties, color-mix) as the browser computes it, for the canvas. */
function resolve(holder, css) {
  const probe = document.createElement("span");
  probe.style.color = css;
  probe.hidden = true;
  holder.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

function palette(holder) {
  return {
    current: resolve(holder, "var(--brand-primary)"),
    // A neutral line for the bots: a brand's accent is often a shade of its primary.
    bots: resolve(holder, "var(--ink-2)"),
    people: "transparent",
    previous: resolve(holder, "color-mix(in oklab, var(--ink-3) 75%, transparent)"),
    fill: resolve(holder, "color-mix(in oklab, var(--brand-primary) 12%, transparent)"),
    ink: resolve(holder, "var(--ink-3)"),
    grid: resolve(holder, "var(--line)"),
  };
}

/** The label of the period at `index`: the current period's, or (past the counted days) the
 * one it will be. */
function xLabel(metric, data, index) {
  const point = metric.points[index];
  const day = point ? point.t : new Date(data.x[index] * 1000).toISOString().slice(0, 10);
  return periodLabel(day, metric.interval);
}

function tooltip(metric, data, colours) {
  let tip;
  const row = (colour, dashed, label, value) => {
    const line = document.createElement("div");
    line.className = "an-tip-row";
    const mark = document.createElement("span");
    mark.className = dashed ? "an-tip-mark an-tip-mark--dashed" : "an-tip-mark";
    mark.style.borderColor = colour;
    const name = document.createElement("span");
    name.textContent = label;
    const figure = document.createElement("strong");
    figure.textContent = value;
    line.append(mark, name, figure);
    return line;
  };
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement("div");
        tip.className = "an-tip";
        tip.hidden = true;
        u.over.append(tip);
      },
      setCursor: (u) => {
        const index = u.cursor.idx;
        if (index === null || index === undefined || u.cursor.left < 0) {
          tip.hidden = true;
          return;
        }
        const head = document.createElement("div");
        head.className = "an-tip-head";
        head.textContent = xLabel(metric, data, index);
        const rows = tipRows(metric, data, index).map((found) =>
          row(colours[found.key], found.key === "previous", found.label, found.value),
        );
        tip.replaceChildren(head, ...rows);
        tip.hidden = false;
        const x = u.valToPos(data.x[index], "x");
        const width = u.over.clientWidth;
        const left = x > width / 2 ? x - tip.offsetWidth - 12 : x + 12;
        tip.style.transform = `translate(${Math.max(0, Math.min(left, width - tip.offsetWidth))}px, 0)`;
      },
    },
  };
}

function options(uPlot, holder, metric, data, colours) {
  const { unit, interval } = metric;
  const font = `12px ${getComputedStyle(holder).fontFamily}`;
  const single = data.x.length === 1;
  const series = [
    { label: "Period", value: (u, value, _series, index) => (index === null ? "" : xLabel(metric, data, index)) },
    ...data.lines.map((line) => ({
      label: line.label,
      stroke: colours[line.key] ?? colours.current,
      width: line.key === "current" ? 2 : 1.5,
      dash: line.key === "previous" ? [5, 4] : undefined,
      fill: line.key === "current" ? colours.fill : undefined,
      points: { show: single || data.x.length <= 14, size: 5 },
      value: (u, value) => formatValue(value, unit),
    })),
  ];
  const labelWidth = (u, values) => {
    if (!values) return 40;
    u.ctx.font = font;
    const widest = Math.max(...values.map((text) => u.ctx.measureText(text).width));
    return Math.ceil(widest / devicePixelRatio) + 16;
  };
  return {
    width: holder.clientWidth,
    height: holder.classList.contains("an-chart--wide") ? WIDE_HEIGHT : HEIGHT,
    series,
    legend: { show: true, live: false },
    cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
    scales: {
      x: {
        time: false,
        range: (u, min, max) => (min === max ? [min - 43200, max + 43200] : [min, max]),
      },
      y: {
        range: (u, min, max) => [0, uPlot.rangeNum(0, Math.max(max ?? 0, LEAST_TOP[unit] ?? 1), 0.1, true)[1]],
      },
    },
    axes: [
      {
        stroke: colours.ink,
        font,
        grid: { show: false },
        ticks: { stroke: colours.grid, size: 4 },
        size: 28,
        splits: (u) =>
          thinned(data.x.length, Math.floor(u.bbox.width / devicePixelRatio / TICK_ROOM)).map((index) => data.x[index]),
        values: (u, splits) => splits.map((value) => tickLabel(value, interval)),
      },
      {
        stroke: colours.ink,
        font,
        grid: { stroke: colours.grid, width: 1 },
        ticks: { show: false },
        incrs: STEPS[unit],
        values: (u, splits) => splits.map((value) => formatTick(value, unit)),
        size: labelWidth,
      },
    ],
    plugins: [tooltip(metric, data, colours)],
  };
}

/** Keys that walk the periods: the cursor (and its tooltip) moves, the readout says it. */
function keyboard(u, holder, metric, data) {
  const readout = document.getElementById(holder.getAttribute("aria-describedby"));
  const last = data.x.length - 1;
  let index = null;
  holder.addEventListener("keydown", (event) => {
    const moves = {
      ArrowLeft: () => (index === null ? last : Math.max(0, index - 1)),
      ArrowRight: () => (index === null ? 0 : Math.min(last, index + 1)),
      Home: () => 0,
      End: () => last,
    };
    if (!(event.key in moves) || last < 0) return;
    event.preventDefault();
    index = moves[event.key]();
    const value = data.lines.map((line) => line.values[index]).find((found) => found !== null) ?? 0;
    u.setCursor({ left: u.valToPos(data.x[index], "x"), top: u.valToPos(value, "y") });
    if (readout) readout.textContent = periodWords(metric, index);
  });
  holder.addEventListener("blur", () => {
    index = null;
    u.setCursor({ left: -10, top: -10 });
  });
}

export function drawChart(uPlot, holder, metric) {
  const data = chartData(metric);
  const colours = palette(holder);
  const u = new uPlot(options(uPlot, holder, metric, data, colours), data.columns, holder);
  keyboard(u, holder, metric, data);
  let width = holder.clientWidth;
  new ResizeObserver(() => {
    if (holder.clientWidth !== width) {
      width = holder.clientWidth;
      u.setSize({ width, height: u.height });
    }
  }).observe(holder);
  holder.classList.add("an-chart--drawn");
  return u;
}
