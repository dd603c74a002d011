// /settings/domains/: copy buttons beside every record, and while a domain is pending, its
// state followed through the API every few seconds. The page works without this module: every
// button is a plain form.

import { get } from "../chat/api.js";

const POLL_MS = 5000;
const list = document.getElementById("domains");

function copyButton(code) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-secondary btn-sm copy-btn";
  button.textContent = "Copy";
  button.setAttribute("aria-label", `Copy ${code.textContent}`);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      button.textContent = "Copied";
    } catch {
      // No clipboard (plain HTTP, old browser): select the text for Ctrl+C instead.
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
  return button;
}

for (const code of document.querySelectorAll("code.copyable")) {
  const wrap = document.createElement("span");
  wrap.className = "copy-wrap";
  code.replaceWith(wrap);
  wrap.append(code, copyButton(code));
}

// Times in the person's own time zone (their profile's), as the page draws them.
function timeFormat(zone) {
  const options = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone || undefined });
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

const format = timeFormat(list && list.dataset.timeZone);

function showTime(card, selector, label, iso) {
  const holder = card.querySelector(selector);
  if (!holder || !iso) return;
  const time = document.createElement("time");
  time.dateTime = iso;
  time.textContent = format.format(new Date(iso));
  holder.replaceChildren(label, time);
}

/** Update a card in place; a changed status redraws the page (buttons and records change). */
function update(domain) {
  const card = document.getElementById(`domain-${domain.id}`);
  if (!card) return false;
  if (card.dataset.status !== domain.status) return true;
  const problem = card.querySelector(".domain-problem");
  problem.textContent = domain.problem;
  problem.hidden = !domain.problem;
  showTime(card, ".domain-checked", "Last checked ", domain.checked_at);
  showTime(card, ".domain-next", " · Next check ", domain.next_check_at);
  return false;
}

async function follow() {
  try {
    const page = await get("/api/domains/");
    const changed = page.results.map(update).some(Boolean);
    if (changed) {
      window.location.reload();
      return;
    }
    if (!page.results.some((domain) => domain.status === "pending")) return;
  } catch {
    // A failed poll is retried at the next tick; the page itself stays usable.
  }
  setTimeout(follow, POLL_MS);
}

if (list && list.hasAttribute("data-following")) setTimeout(follow, POLL_MS);
