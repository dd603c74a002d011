// Clicks on the page, delegated: room links, and every `data-action` button (of the sidebar,
// the header, the menu, the messages, the pending messages). Touch screens have no hover, so a
// tap on a message shows its actions.

import { findMessage } from "./chat_data.js";
import { browseRooms, createRoom, newDirect, quickSwitcher, renameRoom } from "./dialogs.js";
import { $, el } from "./dom.js";
import { confirmDelete, startEdit } from "./editing.js";
import { closeMenu } from "./header.js";
import { openRoom } from "./history.js";
import { openMembers } from "./members.js";
import { archiveRoom, joinRoom, leaveRoom } from "./membership.js";
import { closePicker, openPicker, pickerOpen, toggleReaction } from "./reactions.js";
import { search } from "./search.js";
import { discard, retry } from "./sending.js";
import { closeDrawer, openDrawer } from "./sidebar.js";
import { closePanel, openThread } from "./threads.js";

/** Actions on the page as a whole. */
const PAGE_ACTIONS = {
  switcher: (app) => quickSwitcher(app),
  "create-room": (app) => createRoom(app),
  browse: (app) => browseRooms(app),
  "new-dm": (app) => newDirect(app),
  help: () => $("dialog-help").showModal(),
  "open-drawer": () => openDrawer(),
  "close-drawer": () => closeDrawer(),
  "close-panel": (app) => closePanel(app),
  members: (app) => openMembers(app),
  join: (app, target) => joinRoom(app, Number(target.dataset.room)),
};

/** Items of the room menu: the menu closes first. */
const MENU_ACTIONS = {
  rename: (app) => renameRoom(app),
  archive: (app) => archiveRoom(app),
  leave: (app) => leaveRoom(app),
};

/** Actions on one message (`msg`, found by the id of its element). */
const MESSAGE_ACTIONS = {
  react: (app, target, li, msg) => (pickerOpen() ? closePicker() : openPicker(app, target, msg)),
  "toggle-reaction": (app, target, li, msg) => toggleReaction(app, msg, target.dataset.emoji),
  edit: (app, target, li, msg) => startEdit(app, li, msg),
  delete: (app, target, li, msg) => confirmDelete(app, msg),
  thread: (app, target, li, msg) => openThread(app, msg),
};

/** Actions on a pending message (its element carries the client_id). */
const PENDING_ACTIONS = {
  retry: (app, li) => retry(app, li.dataset.clientId),
  discard: (app, li) => discard(app, li.dataset.clientId),
};

function showActionsOnTap(event) {
  const tapped = event.target.closest(".msg");
  if (!tapped || !window.matchMedia("(hover: none)").matches || event.target.closest("button, a, textarea")) return;
  for (const other of document.querySelectorAll(".msg.touched")) if (other !== tapped) other.classList.remove("touched");
  tapped.classList.toggle("touched");
}

function onClick(app, event) {
  showActionsOnTap(event);
  const link = event.target.closest("a[data-room]");
  if (link) {
    event.preventDefault();
    openRoom(app, Number(link.dataset.room));
    return undefined;
  }
  const target = event.target.closest("[data-action]");
  if (pickerOpen() && !event.target.closest(".emoji-picker") && !(target && target.dataset.action === "react")) closePicker();
  if (!el.menu.hidden && !event.target.closest(".menu-wrap")) closeMenu();
  if (!target) return undefined;
  const action = target.dataset.action;
  const li = target.closest(".msg");
  if (Object.hasOwn(PAGE_ACTIONS, action)) return PAGE_ACTIONS[action](app, target);
  if (Object.hasOwn(MENU_ACTIONS, action)) {
    closeMenu();
    return MENU_ACTIONS[action](app);
  }
  if (Object.hasOwn(PENDING_ACTIONS, action)) return li && PENDING_ACTIONS[action](app, li);
  if (!Object.hasOwn(MESSAGE_ACTIONS, action)) return undefined;
  const inThread = !!(li && li.id.startsWith("t-"));
  const msg = li && li.dataset.id ? findMessage(app, Number(li.dataset.id), inThread) : null;
  return msg && MESSAGE_ACTIONS[action](app, target, li, msg);
}

export function bindActions(app) {
  document.addEventListener("click", (event) => onClick(app, event));
  el.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    search(app, el.searchInput.value);
  });
  // A click on a dialog's backdrop or on one of its [data-close] buttons closes it.
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-close]") || event.target === dialog) dialog.close();
    });
  }
  // A link to a room (#room-12) opens it, even a public room not joined yet.
  window.addEventListener("hashchange", () => {
    const id = Number((location.hash.match(/^#room-(\d+)/) || [])[1]);
    if (id && id !== app.current) openRoom(app, id);
  });
}
