// The conversation on screen: the messages of the window in id order, the pending ones after
// them, the start of the history, the empty room, and where the scroll stands.

import { roomOf, roomState } from "./chat_data.js";
import { me } from "./config.js";
import { el } from "./dom.js";
import { fillMessage, insertInOrder, messageElement, pendingElement, relayout } from "./messages.js";
import { roomLabel, roomTitle } from "./rooms.js";
import { canManage, canPost } from "./sidebar_data.js";
import { closePanel } from "./threads.js";
import { h } from "./util.js";

export function messageEl(app, msg) {
  return messageElement(msg, me.id, { canManage: canManage(roomOf(app, msg.room), me), readOnly: !canPost(app.rooms, app.current) });
}

/** Lay out the timeline again: day separators, grouping, the "new messages" divider. */
export function relayoutTimeline(app) {
  relayout(el.list, { dividerAfter: roomState(app, app.current).dividerAfter });
}

/** Draw a message of the room on screen, new or changed, where its id belongs. */
export function upsertElement(app, msg, layout = true) {
  const existing = document.getElementById(`m-${msg.id}`);
  if (existing) {
    if (existing.querySelector(".msg-edit")) return; // being edited: refreshed when done
    fillMessage(existing, msg, me.id, { canManage: canManage(app.rooms.get(msg.room), me), readOnly: !canPost(app.rooms, app.current) });
  } else {
    insertInOrder(el.list, messageEl(app, msg));
  }
  if (layout) relayoutTimeline(app);
  updateEmpty(app);
}

export function renderTimeline(app) {
  const rs = roomState(app, app.current);
  const sorted = [...rs.msgs.values()].sort((a, b) => a.id - b.id);
  const fragment = document.createDocumentFragment();
  for (const msg of sorted) fragment.append(messageEl(app, msg));
  for (const item of app.outbox.forRoom(app.current)) fragment.append(pendingElement(item, me));
  el.list.replaceChildren(fragment);
  relayout(el.list, { dividerAfter: rs.dividerAfter });
  renderHistoryStatus(app);
  updateEmpty(app);
}

/** Above the first message: nothing while older pages remain, else the start of the room. */
export function renderHistoryStatus(app) {
  const rs = roomState(app, app.current);
  const room = roomOf(app, app.current);
  if (rs.hasOlder) el.historyStatus.replaceChildren();
  else if (rs.msgs.size)
    el.historyStatus.replaceChildren(
      h("div", { class: "room-start" }, h("strong", {}, room ? roomLabel(room, me.id) : ""), h("span", {}, "This is the very beginning of the conversation.")),
    );
  else el.historyStatus.replaceChildren();
}

export function showHistoryLoading(text) {
  el.historyStatus.replaceChildren(h("span", { class: "loading-dots" }, text));
}

export function updateEmpty(app) {
  const empty = !el.list.querySelector(".msg");
  el.emptyRoom.hidden = !empty;
  if (empty) {
    const room = roomOf(app, app.current);
    el.emptyRoom.replaceChildren(
      h("div", { class: "empty-icon", "aria-hidden": "true" }, "💬"),
      h("h2", {}, room && room.kind === "direct" ? `Start a conversation with ${roomTitle(room, me.id)}` : `Welcome to ${room ? roomLabel(room, me.id) : "the channel"}`),
      h("p", {}, room && room.archived ? "Nothing was written here before it was archived." : "No messages yet. Say hello — everyone here will see it right away."),
    );
  }
}

/** No conversation on screen: `title` in the header and `content` where the messages were. */
export function showInstead(app, title, content) {
  app.current = null;
  closePanel(app);
  history.replaceState(null, "", location.pathname);
  el.roomName.textContent = title;
  el.roomTopic.textContent = "";
  el.roomTopic.hidden = true;
  el.membersBtn.hidden = true;
  el.menuBtn.hidden = true;
  el.typing.textContent = "";
  el.jumpLatest.hidden = true;
  el.list.replaceChildren();
  el.historyStatus.replaceChildren();
  el.emptyRoom.hidden = false;
  el.emptyRoom.replaceChildren(...content);
  el.composer.hidden = true;
}

/** This person is in no room at all: an invitation to browse or create one instead. */
export function showNoRooms(app) {
  showInstead(app, "No conversations yet", [
    h("div", { class: "empty-icon", "aria-hidden": "true" }, "✨"),
    h("h2", {}, "You are not in any channel yet"),
    h("p", {}, "Browse the workspace's channels, create one, or start a direct message."),
    h(
      "div",
      { class: "empty-actions" },
      h("button", { type: "button", class: "btn btn-primary", "data-action": "browse" }, "Browse channels"),
      h("button", { type: "button", class: "btn btn-secondary", "data-action": "create-room" }, "Create a channel"),
    ),
  ]);
}

export function nearBottom(slack = 80) {
  return el.timeline.scrollHeight - el.timeline.scrollTop - el.timeline.clientHeight < slack;
}

export function scrollToBottom() {
  el.timeline.scrollTop = el.timeline.scrollHeight;
  el.jumpLatest.hidden = true;
}
