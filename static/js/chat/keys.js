// Keyboard shortcuts of the page: Ctrl/Cmd+K the quick switcher, Alt+Up/Down the previous or
// next room, Esc closes the topmost thing open, `?` the shortcuts, `/` search. Keys typed in a
// field stay the field's; an open dialog handles its own keys.

import { quickSwitcher } from "./dialogs.js";
import { $, el } from "./dom.js";
import { closeMenu } from "./header.js";
import { openRoom } from "./history.js";
import { closePicker } from "./reactions.js";
import { closeDrawer, orderOf } from "./sidebar.js";
import { closePanel } from "./threads.js";
import { isMac, isTypingTarget } from "./util.js";

/** The room `step` places away in the sidebar's order, wrapping around. */
function switchBy(app, step) {
  const order = orderOf(app);
  if (!order.length) return;
  const index = order.indexOf(app.current);
  openRoom(app, order[(index + step + order.length) % order.length]);
}

function shortcut(app, event) {
  const mod = isMac ? event.metaKey : event.ctrlKey;
  if (mod && (event.key === "k" || event.key === "K")) {
    event.preventDefault();
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
    quickSwitcher(app);
    return;
  }
  if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys (Esc closes it)
  if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    switchBy(app, event.key === "ArrowUp" ? -1 : 1);
    return;
  }
  if (event.key === "Escape") {
    if (closePicker() || closeMenu() || closePanel(app) || closeDrawer()) event.preventDefault();
    return;
  }
  if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "?") {
    event.preventDefault();
    $("dialog-help").showModal();
  } else if (event.key === "/") {
    event.preventDefault();
    el.searchInput.focus();
  }
}

export function bindKeys(app) {
  document.addEventListener("keydown", (event) => shortcut(app, event));
}
