// Messages on screen: one <li> per message, in id order, with day separators, grouping of
// consecutive messages by the same person and the "new messages" divider laid out afterwards.
// The server's `html` is safe rendered Markdown and goes in as HTML; `body` is only ever text.

import { attachmentsElement } from "./documents.js";
import { dayKey, formatDay, formatFull, formatTime, h, hue, initial } from "./util.js";

const GROUP_WITHIN_MS = 5 * 60 * 1000;

function icon(path, size = 16) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = path;
  return svg;
}

const ICONS = {
  react: '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.4"/><circle cx="6" cy="6.75" r=".9" fill="currentColor"/><circle cx="10" cy="6.75" r=".9" fill="currentColor"/><path d="M5.5 9.75c.6.9 1.5 1.4 2.5 1.4s1.9-.5 2.5-1.4" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
  thread: '<path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  edit: '<path d="m10.5 2.5 3 3-7.5 7.5H3v-3z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  trash: '<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
};

function avatar(author) {
  const id = author ? author.id : 0;
  return h("span", { class: "msg-avatar", style: `--hue:${hue(id)}`, "aria-hidden": "true" }, initial(author ? author.name : "?"));
}

function actionButton(action, label, path) {
  return h("button", { type: "button", class: "msg-action", "data-action": action, "aria-label": label, title: label }, icon(path));
}

export function reactionsElement(reactions, meId) {
  const wrap = h("div", { class: "msg-reactions" });
  for (const reaction of reactions || []) {
    if (!reaction.count) continue;
    const mine = (reaction.users || []).includes(meId);
    wrap.append(
      h(
        "button",
        {
          type: "button",
          class: `reaction${mine ? " mine" : ""}`,
          "data-action": "toggle-reaction",
          "data-emoji": reaction.emoji,
          "aria-pressed": mine ? "true" : "false",
          "aria-label": `${reaction.emoji} ${reaction.count} ${reaction.count === 1 ? "reaction" : "reactions"}${mine ? ", including yours" : ""}`,
        },
        h("span", { class: "reaction-emoji", "aria-hidden": "true" }, reaction.emoji),
        h("span", { class: "reaction-count", "aria-hidden": "true" }, String(reaction.count)),
      ),
    );
  }
  if (wrap.childElementCount) {
    wrap.append(h("button", { type: "button", class: "reaction reaction-add", "data-action": "react", "aria-label": "Add a reaction" }, icon(ICONS.react, 14)));
  }
  return wrap;
}

/** The element of a stored message. `opts.inThread`: in the thread panel (no thread link). */
export function messageElement(msg, meId, opts = {}) {
  const mine = msg.author && msg.author.id === meId;
  const li = h("li", {
    class: `msg${mine ? " mine" : ""}${msg.deleted ? " deleted" : ""}`,
    id: `${opts.inThread ? "t" : "m"}-${msg.id}`,
    "data-id": msg.id,
    "data-author": msg.author ? msg.author.id : "",
    "data-time": msg.created_at,
    "data-client-id": msg.client_id || "",
  });
  fillMessage(li, msg, meId, opts);
  return li;
}

export function fillMessage(li, msg, meId, opts = {}) {
  const mine = msg.author && msg.author.id === meId;
  li.classList.toggle("deleted", !!msg.deleted);
  li.classList.toggle("mentions-me", !msg.deleted && (msg.mentions || []).includes(meId));
  li.replaceChildren();
  const name = msg.author ? msg.author.name : "Former member";
  const time = h("time", { datetime: msg.created_at, title: formatFull(msg.created_at) }, formatTime(msg.created_at));
  const body = h("div", { class: "msg-body" });
  if (msg.deleted) {
    body.append(h("p", { class: "msg-deleted" }, "message deleted"));
  } else {
    body.innerHTML = msg.html || "";
  }
  const main = h(
    "div",
    { class: "msg-main" },
    h("div", { class: "msg-head" }, h("span", { class: "msg-author" }, name), time),
    body,
  );
  if (!msg.deleted && msg.attachments && msg.attachments.length) main.append(attachmentsElement(msg.attachments));
  if (msg.edited_at && !msg.deleted) {
    // Inside the last paragraph when there is one, so the mark follows the text as in Slack.
    const last = body.lastElementChild;
    const into = last && last.tagName === "P" ? last : body;
    into.append(" ", h("span", { class: "msg-edited", title: `Edited ${formatFull(msg.edited_at)}` }, "(edited)"));
  }
  if (!msg.deleted) {
    const reactions = reactionsElement(msg.reactions, meId);
    if (reactions.childElementCount) main.append(reactions);
  }
  if (!opts.inThread && msg.reply_count > 0) {
    main.append(
      h(
        "button",
        { type: "button", class: "thread-link", "data-action": "thread" },
        `${msg.reply_count} ${msg.reply_count === 1 ? "reply" : "replies"}`,
        msg.last_reply_at ? h("span", { class: "muted" }, `· last reply ${formatTime(msg.last_reply_at)}`) : null,
      ),
    );
  }
  li.append(
    h("div", { class: "msg-gutter" }, avatar(msg.author), h("time", { class: "msg-time-short", datetime: msg.created_at, "aria-hidden": "true" }, formatTime(msg.created_at))),
    main,
  );
  if (!msg.deleted && !opts.readOnly) {
    const actions = h("div", { class: "msg-actions", role: "toolbar", "aria-label": `Actions on the message of ${name}` });
    actions.append(actionButton("react", "Add a reaction", ICONS.react));
    if (!opts.inThread) actions.append(actionButton("thread", "Reply in thread", ICONS.thread));
    if (mine) actions.append(actionButton("edit", "Edit message", ICONS.edit));
    if (mine || opts.canManage) actions.append(actionButton("delete", "Delete message", ICONS.trash));
    li.append(actions);
  }
}

/** A message on its way: shown at once, marked until the server confirms it. */
export function pendingElement(item, me) {
  const failed = item.state === "failed";
  const li = h("li", {
    class: `msg mine pending${failed ? " failed" : ""}`,
    id: `p-${item.client_id}`,
    "data-client-id": item.client_id,
    "data-author": me.id,
    "data-time": new Date(item.created).toISOString(),
  });
  const body = h("div", { class: "msg-body msg-body-plain" }, item.body);
  const status = failed
    ? h(
        "div",
        { class: "msg-status", role: "alert" },
        h("span", {}, item.error || "Not sent."),
        " ",
        h("button", { type: "button", class: "link-btn", "data-action": "retry" }, "Retry"),
        " · ",
        h("button", { type: "button", class: "link-btn", "data-action": "discard" }, "Discard"),
      )
    : h("div", { class: "msg-status" }, h("span", { class: "spinner", "aria-hidden": "true" }), "sending…");
  li.append(
    h("div", { class: "msg-gutter" }, avatar(me), h("span", { class: "msg-time-short" })),
    h(
      "div",
      { class: "msg-main" },
      h("div", { class: "msg-head" }, h("span", { class: "msg-author" }, me.name), h("time", {}, formatTime(new Date(item.created).toISOString()))),
      body,
      item.documents && item.documents.length ? attachmentsElement(item.documents) : null,
      status,
    ),
  );
  return li;
}

/** Day separators, grouping and the unread divider, recomputed over the whole list: cheap for
 * the few hundred messages on screen, and always right whatever order things arrived in. */
export function relayout(list, { dividerAfter = null } = {}) {
  for (const el of list.querySelectorAll(":scope > .day-sep, :scope > .new-divider")) el.remove();
  let prev = null;
  let dividerPlaced = false;
  for (const el of [...list.children]) {
    const time = el.dataset.time;
    const day = time ? dayKey(time) : null;
    let newDay = false;
    if (day && (!prev || dayKey(prev.dataset.time) !== day)) {
      list.insertBefore(h("li", { class: "day-sep", role: "separator" }, h("span", {}, formatDay(time))), el);
      newDay = true;
    }
    let divider = false;
    if (!dividerPlaced && dividerAfter !== null && el.dataset.id && Number(el.dataset.id) > dividerAfter && !el.classList.contains("mine")) {
      list.insertBefore(h("li", { class: "new-divider", role: "separator", id: "new-divider" }, h("span", {}, "New messages")), el);
      dividerPlaced = true;
      divider = true;
    }
    const grouped =
      !!prev &&
      !newDay &&
      !divider &&
      prev.dataset.author === el.dataset.author &&
      !prev.classList.contains("deleted") &&
      new Date(time) - new Date(prev.dataset.time) < GROUP_WITHIN_MS;
    el.classList.toggle("grouped", grouped);
    prev = el;
  }
}

/** Insert a message element where its id belongs, before any pending ones. */
export function insertInOrder(list, el) {
  const id = Number(el.dataset.id);
  for (const other of list.children) {
    if (other.classList.contains("pending")) return list.insertBefore(el, other);
    const otherId = Number(other.dataset.id);
    if (other.dataset.id && otherId > id) return list.insertBefore(el, other);
  }
  return list.append(el);
}
