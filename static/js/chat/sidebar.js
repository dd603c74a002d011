// The sidebar: the rooms this person is in (channels, then direct messages) with their unread
// and mention badges, the drawer it becomes on a phone, and the read position that clears them.

import { get, post } from "./api.js";
import { roomOf, roomState } from "./chat_data.js";
import { me } from "./config.js";
import { el } from "./dom.js";
import { newestInWindow } from "./history_data.js";
import { pageTitle } from "./members_data.js";
import { dmPeople, roomLabel, roomTitle } from "./rooms.js";
import { clearCounts, countLabel, countsSpoken, mergeRoom, sidebarOrder, titleWithCount, unreadTotals } from "./sidebar_data.js";
import { subscribe } from "./subscriptions.js";
import { nearBottom } from "./timeline.js";
import { h, results } from "./util.js";

const READ_AFTER_MS = 300;
// The workspace's name, as the page was served; the tab's title puts the conversation before it.
const BRAND_TITLE = document.title;
let readTimer = null;

export function orderOf(app) {
  return sidebarOrder(app.rooms, app.current, me.id);
}

/** The sidebar's rooms from the API: new ones are followed, ones left elsewhere go. */
export async function loadRooms(app) {
  try {
    const rooms = results(await get("/api/rooms/"));
    const seen = new Set();
    for (const room of rooms) {
      if (room.is_member === false) continue;
      seen.add(room.id);
      // A room that arrived while the socket was down (a new DM, say) is followed from now on.
      if (!app.rooms.has(room.id) && app.socket.isOpen) subscribe(app, room.id);
      keepRoom(app, room);
    }
    for (const id of [...app.rooms.keys()]) if (!seen.has(id) && id !== app.current) app.rooms.delete(id);
    el.roomList.removeAttribute("aria-busy");
    if (app.current) markReadSoon(app);
  } catch (error) {
    el.roomList.replaceChildren(h("li", { class: "room-empty" }, `Could not load your channels (${error.message}).`));
    return;
  }
  renderSidebar(app);
}

/** A room of the sidebar, merged over what was known of it; returns the merged room. */
export function keepRoom(app, room) {
  const merged = mergeRoom(app.rooms.get(room.id) || {}, room);
  app.rooms.set(room.id, merged);
  for (const person of dmPeople(merged, me.id)) if (!person.name.startsWith("#")) app.people.set(person.id, person);
  return merged;
}

function leadOf(app, room) {
  if (room.kind !== "direct") return h("span", { class: "room-glyph", "aria-hidden": "true" }, room.kind === "private" ? "🔒" : "#");
  const others = dmPeople(room, me.id);
  if (others.length !== 1) return h("span", { class: "room-glyph", "aria-hidden": "true" }, String(others.length + 1));
  const status = app.presence.get(others[0].id) || "offline";
  return h("span", { class: "presence-dot", "data-presence": status, title: status, "aria-hidden": "true" });
}

function roomLink(app, room) {
  const unread = room.unread || 0;
  const mentions = room.mentions || 0;
  const badges = [];
  if (mentions) badges.push(h("span", { class: "badge badge-mention", title: `${mentions} mention${mentions === 1 ? "" : "s"}` }, `@${countLabel(mentions)}`));
  if (unread) badges.push(h("span", { class: "badge", title: `${unread} unread` }, countLabel(unread)));
  const srState = countsSpoken(unread, mentions);
  const others = dmPeople(room, me.id);
  const presenceText = room.kind === "direct" && others.length === 1 ? `, ${app.presence.get(others[0].id) || "offline"}` : "";
  return h(
    "a",
    {
      href: `#room-${room.id}`,
      class: `room-link${unread || mentions ? " unread" : ""}`,
      "data-room": room.id,
      "aria-current": room.id === app.current ? "page" : null,
      "aria-label": `${roomLabel(room, me.id)}${presenceText}${srState ? `, ${srState}` : ""}`,
    },
    leadOf(app, room),
    h("span", { class: "room-name" }, roomTitle(room, me.id)),
    badges,
  );
}

export function renderSidebar(app) {
  const channels = [];
  const dms = [];
  const order = orderOf(app);
  for (const id of order) {
    const room = app.rooms.get(id);
    (room.kind === "direct" ? dms : channels).push(h("li", { class: "room-item" }, roomLink(app, room)));
  }
  el.roomList.replaceChildren(...(channels.length ? channels : [h("li", { class: "room-empty" }, "No channels yet.")]));
  el.dmList.replaceChildren(...(dms.length ? dms : [h("li", { class: "room-empty" }, "No direct messages yet.")]));
  const { total, elsewhere } = unreadTotals(app.rooms, order, app.current);
  el.drawerBadge.hidden = !elsewhere;
  el.drawerBadge.textContent = countLabel(elsewhere);
  const current = app.current && roomOf(app, app.current);
  document.title = titleWithCount(pageTitle(current ? roomLabel(current, me.id) : "", BRAND_TITLE), total);
}

/** The person sees the page (not another tab): what arrives in the room on screen is read. */
export function canSee() {
  return document.visibilityState === "visible";
}

export function markReadSoon(app) {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => markRead(app), READ_AFTER_MS);
}

/** The room on screen is read up to its newest message, once that message is in view. */
function markRead(app) {
  const roomId = app.current;
  const room = app.rooms.get(roomId);
  if (!room || !canSee()) return;
  const rs = roomState(app, roomId);
  if (!rs.atLatest || !nearBottom(120)) return;
  const newest = newestInWindow(rs);
  if (!newest) return;
  if (newest > (room.last_read_id || 0)) {
    room.last_read_id = newest;
    if (!app.socket.send({ type: "read", room: roomId, message: newest })) {
      post(`/api/rooms/${roomId}/read/`, { message: newest }).catch(() => app.pendingReads.set(roomId, newest));
    }
  }
  if (clearCounts(room)) renderSidebar(app);
}

export function openDrawer() {
  el.app.classList.add("drawer-open");
  el.backdrop.hidden = false;
  el.drawerToggle.setAttribute("aria-expanded", "true");
  const current = el.sidebar.querySelector('[aria-current="page"]') || el.sidebar.querySelector("a, button");
  if (current) current.focus();
}

/** Returns whether there was a drawer to close (Esc closes one thing at a time). */
export function closeDrawer() {
  if (!el.app.classList.contains("drawer-open")) return false;
  el.app.classList.remove("drawer-open");
  el.backdrop.hidden = true;
  el.drawerToggle.setAttribute("aria-expanded", "false");
  return true;
}
