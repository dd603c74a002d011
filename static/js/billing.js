// The billing page (templates/billing/page.html), made live: usage meters follow
// GET /api/billing/ every 20 s while the page is visible, plan buttons and the portal button go
// through the API (the plain forms stay as the fallback), invoices load page after page, and
// after a checkout the page waits until the payment's webhook has changed the plan.

const POLL_MS = 20000;
const FINISH_POLL_MS = 1500;
const FINISH_PATIENCE_MS = 120000;
const SUBSCRIBED = new Set(["trialing", "active", "past_due"]);

const root = document.getElementById("billing");
const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
    ...options,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || "Something went wrong. Try again.");
  return body;
}

function humanBytes(size) {
  for (const [unit, scale] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]]) {
    if (size >= scale) {
      const value = size / scale;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${size} bytes`;
}

function amount(key, value) {
  return key === "storage_bytes" ? humanBytes(value) : value.toLocaleString("en-US");
}

function showMeters(data) {
  for (const item of root.querySelectorAll("[data-meter]")) {
    const key = item.dataset.meter;
    const used = data.usage[key];
    const limit = data.limits[key];
    // A limit of 0 is a feature the plan does not include: an empty bar that says so.
    const percent = !limit ? 0 : Math.min(100, Math.round((used * 100) / limit));
    const usedText = amount(key, used);
    const limitText = limit === null ? "no limit" : limit === 0 ? "not in this plan" : amount(key, limit);
    item.querySelector("[data-used]").textContent = usedText;
    item.querySelector("[data-limit]").textContent = limitText;
    item.querySelector("[data-sep]").textContent = limit ? " of " : " · ";
    const track = item.querySelector("[role=meter]");
    track.setAttribute("aria-valuenow", String(percent));
    track.setAttribute("aria-valuetext", `${usedText} of ${limitText}`);
    item.querySelector(".meter-fill").style.width = `${percent}%`;
    const level = !limit || percent < 80 ? "ok" : used >= limit ? "full" : "high";
    item.className = `meter meter--${level}`;
  }
}

function changed(data) {
  return (
    data.status !== root.dataset.status ||
    data.plan.code !== root.dataset.plan ||
    (data.plan.interval ?? "") !== root.dataset.interval
  );
}

function arrived(data) {
  return (
    data.plan.code === root.dataset.wantPlan &&
    data.plan.interval === root.dataset.wantInterval &&
    SUBSCRIBED.has(data.status)
  );
}

async function refresh() {
  root.setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/billing/");
    if (root.dataset.checkout === "waiting" ? arrived(data) : changed(data)) {
      // The plan or status moved (a webhook, the portal, staff): the server words it anew.
      window.location.replace(window.location.href);
      return;
    }
    showMeters(data);
  } catch {
    // Offline for a moment: the next poll tries again.
  } finally {
    root.setAttribute("aria-busy", "false");
  }
}

function poll() {
  const started = Date.now();
  const every = () =>
    root.dataset.checkout === "waiting" && Date.now() - started < FINISH_PATIENCE_MS ? FINISH_POLL_MS : POLL_MS;
  const tick = async () => {
    if (document.visibilityState === "visible") await refresh();
    window.setTimeout(tick, every());
  };
  window.setTimeout(tick, every());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}

function showError(text) {
  const box = root.querySelector("[data-error]");
  box.textContent = text;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

async function follow(button, path, body) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "Opening…";
  try {
    const { url } = await api(path, { method: "POST", body: JSON.stringify(body) });
    window.location.assign(url);
  } catch (error) {
    showError(error.message);
    button.disabled = false;
    button.textContent = label;
  }
}

function wireButtons() {
  for (const form of root.querySelectorAll("form[data-checkout]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = event.submitter;
      follow(button, "/api/billing/checkout/", { plan: form.elements.plan.value, interval: button.value });
    });
  }
  const portal = root.querySelector("form[data-portal]");
  portal?.addEventListener("submit", (event) => {
    event.preventDefault();
    follow(event.submitter, "/api/billing/portal/", {});
  });
}

function invoiceRow(invoice) {
  const row = document.createElement("tr");
  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    row.append(td);
    return td;
  };
  const date = new Date(invoice.created_at);
  cell(date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }));
  cell(invoice.number || "—");
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: invoice.currency.toUpperCase() });
  cell(money.format(invoice.total_cents / 100).replace(/\.00$/, ""));
  const status = document.createElement("span");
  status.className = `badge invoice-status invoice-status--${invoice.status}`;
  status.textContent = invoice.status.charAt(0).toUpperCase() + invoice.status.slice(1);
  cell("").append(status);
  const links = cell("");
  links.className = "invoice-links";
  for (const [href, text] of [[invoice.hosted_url, "View"], [invoice.pdf_url, "PDF"]]) {
    if (!href) continue;
    const link = document.createElement("a");
    Object.assign(link, { href, textContent: text, rel: "noopener", target: "_blank" });
    links.append(link, " ");
  }
  return row;
}

function wireInvoices() {
  const more = root.querySelector("[data-load-more]");
  const rows = root.querySelector("[data-invoice-rows]");
  if (!more || !rows) return;
  more.addEventListener("click", async (event) => {
    event.preventDefault();
    more.setAttribute("aria-disabled", "true");
    more.textContent = "Loading…";
    try {
      const page = await api(`/api/billing/invoices/?before=${encodeURIComponent(more.dataset.loadMore)}`);
      rows.append(...page.results.map(invoiceRow));
      if (page.next_before === null) {
        more.closest(".pager").remove();
        return;
      }
      more.dataset.loadMore = String(page.next_before);
      more.href = `?before=${page.next_before}#invoices`;
    } catch (error) {
      showError(error.message);
    }
    more.removeAttribute("aria-disabled");
    more.textContent = "Load more";
  });
}

if (root) {
  wireButtons();
  wireInvoices();
  poll();
}
