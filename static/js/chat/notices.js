// What the page tells the person besides the conversation: short-lived toasts, and the polite
// live region that reads new messages and mentions out to screen readers.

import { el } from "./dom.js";
import { h } from "./util.js";

const ANNOUNCED_KEPT = 5;
const TOAST_MS = 5000;

export function announce(text) {
  const line = h("p", {}, text);
  el.announcer.append(line);
  while (el.announcer.childElementCount > ANNOUNCED_KEPT) el.announcer.firstChild.remove();
}

export function toast(text) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  const item = h("div", { class: "toast" }, text);
  box.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
}

/** The text of a message's (safe, server-rendered) HTML, for announcing it. */
export function plainText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
  return (doc.body.textContent || "").trim();
}
