// The room's header (name, topic, members, the room menu) and what the composer becomes in a
// room this person cannot post in (archived, not joined, the workspace read-only).

import { get, patch } from "./api.js";
import { roomOf } from "./chat_data.js";
import { config, me } from "./config.js";
import { el } from "./dom.js";
import { archivedText } from "./members_data.js";
import { roomLabel, roomTitle } from "./rooms.js";
import { canManage } from "./sidebar_data.js";
import { updateEmpty } from "./timeline.js";
import { h } from "./util.js";

export function renderHeader(app) {
  const room = roomOf(app, app.current);
  if (!room) return;
  el.roomName.replaceChildren(
    room.kind === "direct" ? "" : h("span", { class: "room-hash", "aria-hidden": "true" }, room.kind === "private" ? "🔒" : "#"),
    roomTitle(room, me.id),
    room.archived ? h("span", { class: "tag" }, "archived") : "",
  );
  el.roomTopic.textContent = room.topic || (room.kind === "direct" ? "Direct message" : "");
  el.roomTopic.hidden = !el.roomTopic.textContent;
  el.membersBtn.hidden = false;
  showMembersCount(room.members);
  el.composer.hidden = false;
  const member = app.rooms.has(room.id);
  const manage = canManage(room, me);
  el.menuBtn.hidden = room.kind === "direct" || !(member || manage);
  for (const item of el.menu.querySelectorAll("[data-needs]")) {
    item.hidden = item.dataset.needs === "manage" ? !manage || room.archived : !member;
  }
  const archiveItem = el.menu.querySelector('[data-action="archive"]');
  if (archiveItem) archiveItem.textContent = "Archive channel…";
  el.composer.querySelector(".composer-input").placeholder = `Message ${roomLabel(room, me.id)}`;
  if (!el.emptyRoom.hidden) updateEmpty(app);
  if (config.read_only) readOnly(config.read_only, null, "/settings/billing/");
  else if (room.archived) {
    readOnly(archivedText(room, formatWhen), null, null, "archived");
    if (manage) el.composerReadonly.append(unarchiveButton(app, room));
  } else if (!member) readOnly(null, room);
  else {
    el.composerBox.hidden = false;
    el.composerReadonly.hidden = true;
  }
}

/** The composer gives way to a sentence: `text`, or an invitation to join `joinable`. `kind`
 * names the reason for the browser tests and the stylesheet (`data-reason`). */
function readOnly(text, joinable, billing, kind = joinable ? "join" : "read-only") {
  el.composerBox.hidden = true;
  el.composerReadonly.hidden = false;
  el.composerReadonly.dataset.reason = kind;
  el.composerReadonly.replaceChildren(
    text ? h("span", {}, text) : h("span", {}, `You are viewing ${roomLabel(joinable, me.id)}.`),
    billing ? h("a", { href: billing }, "See plans and billing") : "",
    joinable ? h("button", { type: "button", class: "btn btn-primary", "data-action": "join", "data-room": joinable.id }, "Join channel") : "",
  );
}

/** Managers bring an archived channel back from where its composer was. */
function unarchiveButton(app, room) {
  const button = h("button", { type: "button", class: "btn btn-secondary" }, "Unarchive channel");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      app.onRoomUpdated(await patch(`/api/rooms/${room.id}/`, { archived: false }));
    } catch (error) {
      button.disabled = false;
      app.toast(error.message);
    }
  });
  return button;
}

function formatWhen(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export async function loadMembersCount(app, roomId) {
  const room = roomOf(app, roomId);
  if (room && typeof room.members === "number") {
    showMembersCount(room.members);
    return;
  }
  try {
    // The detail carries the count; the sidebar's list does not.
    const detail = await get(`/api/rooms/${roomId}/`);
    if (room && typeof detail.members === "number") room.members = detail.members;
    if (app.current === roomId) showMembersCount(detail.members);
  } catch (error) {
    console.warn("members count", error);
  }
}

function showMembersCount(count) {
  const known = typeof count === "number";
  el.membersCount.textContent = known ? String(count) : "";
  el.membersBtn.setAttribute("aria-label", known ? `${count} member${count === 1 ? "" : "s"}` : "Members");
}

function openMenu() {
  el.menu.hidden = false;
  el.menuBtn.setAttribute("aria-expanded", "true");
  el.menu.querySelector("[role=menuitem]:not([hidden])")?.focus();
}

/** Returns whether there was a menu to close (Esc closes one thing at a time). */
export function closeMenu() {
  if (el.menu.hidden) return false;
  el.menu.hidden = true;
  el.menuBtn.setAttribute("aria-expanded", "false");
  return true;
}

/** The room menu opens from its button; Up and Down move between its items. */
export function bindMenu() {
  el.menuBtn.addEventListener("click", () => (el.menu.hidden ? openMenu() : closeMenu()));
  el.menu.addEventListener("keydown", (event) => {
    const items = [...el.menu.querySelectorAll("[role=menuitem]:not([hidden])")];
    const index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      items[(index + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length].focus();
    }
  });
}
