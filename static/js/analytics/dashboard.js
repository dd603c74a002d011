// The analytics page (templates/analytics/page.html): the range form made quicker, and each
// card's chart drawn from the figures embedded in the page (no request of its own). uPlot is
// loaded by its fingerprinted URL, which the page passes in; should it fail to load, every
// card's data table opens in place of its chart.

import { drawChart } from "./chart.js";
import { enhanceRangeForm } from "./range_form.js";

enhanceRangeForm(document.getElementById("range-form"));

const root = document.getElementById("analytics");
const holders = [...root.querySelectorAll("[data-chart]")];
if (holders.length) {
  const { overview } = JSON.parse(document.getElementById("analytics-data").textContent);
  try {
    const { default: uPlot } = await import(root.dataset.uplot);
    for (const holder of holders) drawChart(uPlot, holder, overview.metrics[holder.dataset.chart]);
  } catch (error) {
    for (const holder of holders) {
      holder.hidden = true;
      holder.closest("[data-metric]")?.querySelector("details")?.setAttribute("open", "");
    }
    throw error;
  }
}
