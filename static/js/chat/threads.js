// The side panel, and the thread shown in it: the root, its replies (loaded, then live), the
// replies still in the outbox, and the thread's own composer.

import { get } from "./api.js";
import { me } from "./config.js";
import { el } from "./dom.js";
import { messagesPath } from "./history_data.js";
import { fillMessage, insertInOrder, messageElement, pendingElement, relayout } from "./messages.js";
import { canManage, canPost } from "./sidebar_data.js";
import { h, results } from "./util.js";

const REPLIES_LIMIT = 200;

export function openPanel(title, mode) {
  el.panelTitle.textContent = title;
  el.panel.hidden = false;
  el.panel.dataset.mode = mode;
  el.app.classList.add("panel-open");
}

/** Returns whether there was a panel to close (Esc closes one thing at a time). */
export function closePanel(app) {
  if (el.panel.hidden) return false;
  el.panel.hidden = true;
  el.app.classList.remove("panel-open");
  app.thread = null;
  el.panelBody.replaceChildren();
  return true;
}

export async function openThread(app, msg) {
  const list = h("ol", { class: "message-list thread-list", "aria-label": "Replies" });
  app.thread = { root: msg.id, room: msg.room, msgs: new Map(), list, scroller: el.panelBody };
  openPanel("Thread", "thread");
  el.panelBody.replaceChildren(h("p", { class: "muted panel-loading" }, "Loading replies…"), list);
  el.threadComposer.hidden = !canPost(app.rooms, app.current);
  try {
    const messages = results(await get(messagesPath(msg.room, { thread: msg.id, after: Math.max(1, msg.id - 1), limit: REPLIES_LIMIT })));
    if (!app.thread || app.thread.root !== msg.id) return;
    el.panelBody.querySelector(".panel-loading")?.remove();
    const all = messages.some((m) => m.id === msg.id) ? messages : [msg, ...messages];
    for (const m of all) threadUpsert(app, m, false);
    for (const item of app.outbox.forRoom(msg.room, msg.id)) list.append(pendingElement(item, me));
    relayout(list);
    el.panelBody.scrollTop = el.panelBody.scrollHeight;
  } catch (error) {
    el.panelBody.querySelector(".panel-loading").textContent = `Could not load the thread: ${error.message}`;
  }
  app.threadComposer.focus();
}

/** Draw a message of the open thread, new or changed (merged over what the panel knew). */
export function threadUpsert(app, msg, layout = true) {
  if (!app.thread) return;
  const known = app.thread.msgs.get(msg.id);
  const merged = known ? { ...known, ...msg } : msg;
  app.thread.msgs.set(msg.id, merged);
  const existing = app.thread.list.querySelector(`[id="t-${msg.id}"]`);
  const opts = { inThread: true, canManage: canManage(app.rooms.get(msg.room), me), readOnly: !canPost(app.rooms, app.current) };
  if (existing) {
    if (!existing.querySelector(".msg-edit")) fillMessage(existing, merged, me.id, opts);
  } else {
    const li = messageElement(merged, me.id, opts);
    if (merged.id === app.thread.root) li.classList.add("thread-root");
    insertInOrder(app.thread.list, li);
  }
  if (layout) {
    relayout(app.thread.list);
    el.panelBody.scrollTop = el.panelBody.scrollHeight;
  }
}
