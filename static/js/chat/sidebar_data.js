// The rooms of the sidebar as data: merging what the API and frames say of a room, the order
// rooms are listed in, unread and mention counts, and who may do what. Pure; sidebar.js draws.
//
// What must hold: a room's read position only moves forward (an answer that left before our
// last `read` is older than it), and counts the server sent are kept until something newer.

import { roomTitle } from "./rooms.js";

/** A room as the sidebar keeps it: the fresh payload over what was known. */
export function mergeRoom(known, room) {
  const merged = { ...known, ...room };
  merged.unread = room.unread ?? known.unread ?? 0;
  merged.last_read_id = Math.max(known.last_read_id || 0, room.last_read_id || 0);
  merged.mentions = room.mentions ?? room.mention_count ?? room.unread_mentions ?? known.mentions ?? 0;
  return merged;
}

/** A room's own fields changed (name, topic, archived). The frame is the same for everyone, so
 * it says nothing of this person's role, read position or counts: those stay. */
export function applyRoomFields(known, room) {
  for (const key of ["name", "slug", "topic", "archived", "kind"]) if (key in room) known[key] = room[key];
  if (typeof room.members === "number") known.members = room.members;
}

/** Channels by name, then direct messages by the people in them. Archived rooms leave the
 * sidebar, except the one being looked at. */
export function sidebarOrder(rooms, current, meId) {
  const shown = [...rooms.values()].filter((r) => !r.archived || r.id === current);
  const channels = shown.filter((r) => r.kind !== "direct").sort((a, b) => a.name.localeCompare(b.name));
  const dms = shown.filter((r) => r.kind === "direct").sort((a, b) => roomTitle(a, meId).localeCompare(roomTitle(b, meId)));
  return [...channels, ...dms].map((r) => r.id);
}

/** `total`: unread messages everywhere (the tab's title); `elsewhere`: unread and mentions
 * outside the room on screen (the drawer button's badge on a phone). */
export function unreadTotals(rooms, order, current) {
  let total = 0;
  let elsewhere = 0;
  for (const id of order) {
    const room = rooms.get(id);
    const unread = room.unread || 0;
    total += unread;
    if (id !== current) elsewhere += unread + (room.mentions || 0);
  }
  return { total, elsewhere };
}

/** A count as a badge shows it. */
export function countLabel(count) {
  return count > 99 ? "99+" : String(count);
}

/** What a screen reader hears of a room's counts ("3 unread, 1 mentions"). */
export function countsSpoken(unread, mentions) {
  return [unread ? `${unread} unread` : "", mentions ? `${mentions} mentions` : ""].filter(Boolean).join(", ");
}

/** The tab's title with the unread total in front, "(3) Acme". */
export function titleWithCount(title, total) {
  const base = title.replace(/^\(\d+\+?\) /, "");
  return total ? `(${countLabel(total)}) ${base}` : base;
}

/** This person read up to `messageId` (here or in another tab). Returns true when the room's
 * counts were cleared: everything this page has seen in it is read. */
export function noteRead(room, maxSeen, messageId) {
  if (messageId > (room.last_read_id || 0)) room.last_read_id = messageId;
  if (messageId < maxSeen) return false;
  room.unread = 0;
  room.mentions = 0;
  return true;
}

/** Clear the counts of a room being read; returns whether there were any. */
export function clearCounts(room) {
  if (!room.unread && !room.mentions) return false;
  room.unread = 0;
  room.mentions = 0;
  return true;
}

export function canManage(room, me) {
  if (!room || room.kind === "direct") return false;
  return me.is_admin || room.role === "owner" || room.role === "admin";
}

/** Posting needs membership (a previewed room is not in `rooms`) and a room not archived. */
export function canPost(rooms, current) {
  const room = rooms.get(current);
  return !!room && !room.archived;
}

/** The server says "active"; the sidebar's dots say "online". */
export function presenceStatus(status) {
  return status === "active" ? "online" : status;
}
