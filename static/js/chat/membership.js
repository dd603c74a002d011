// Rooms coming and going: joined, created, left, archived here, or added, changed and removed
// by frames (someone else's doing, or this person's in another tab), and who is in them. The
// dialogs are in dialogs.js, the members panel in members.js.

import { del, get, patch, post } from "./api.js";
import { roomOf } from "./chat_data.js";
import { me } from "./config.js";
import { confirmDialog } from "./dialogs.js";
import { renderHeader } from "./header.js";
import { openRoom } from "./history.js";
import { closeMembers, membersOpenFor, refreshMembers } from "./members.js";
import { removedText } from "./members_data.js";
import { toast } from "./notices.js";
import { idOf } from "./payload.js";
import { roomLabel } from "./rooms.js";
import { applyRoomFields } from "./sidebar_data.js";
import { keepRoom, orderOf, renderSidebar } from "./sidebar.js";
import { subscribe } from "./subscriptions.js";
import { showInstead, showNoRooms } from "./timeline.js";
import { h } from "./util.js";

/** A room this person just created, opened or joined: into the sidebar, followed, shown. */
export async function enterRoom(app, room) {
  keepRoom(app, { ...room, is_member: true });
  subscribe(app, room.id);
  renderSidebar(app);
  await openRoom(app, room.id);
}

export async function joinRoom(app, roomId) {
  try {
    await post(`/api/rooms/${roomId}/members/`, { user: me.id });
    app.previewRoom = null;
    await enterRoom(app, await get(`/api/rooms/${roomId}/`));
  } catch (error) {
    toast(error.message);
  }
}

export async function leaveRoom(app) {
  const room = app.rooms.get(app.current);
  if (!room) return;
  const ok = await confirmDialog(
    `Leave ${roomLabel(room, me.id)}?`,
    room.kind === "private" ? "You will need an invitation to come back." : "You can join again from Browse channels.",
    "Leave",
  );
  if (!ok) return;
  // The socket's `room.removed` may arrive before the answer: it must not say "removed".
  app.leaving = room.id;
  try {
    await del(`/api/rooms/${room.id}/members/${me.id}/`);
    app.socket.send({ type: "unsubscribe", room: room.id });
    onRoomRemoved(app, room.id, { quiet: true });
  } catch (error) {
    toast(error.message);
  } finally {
    app.leaving = null;
  }
}

export async function archiveRoom(app) {
  const room = app.rooms.get(app.current);
  if (!room) return;
  const ok = await confirmDialog(`Archive ${roomLabel(room, me.id)}?`, "Nobody will be able to post in it; its history stays searchable.", "Archive");
  if (!ok) return;
  try {
    onRoomUpdated(app, await patch(`/api/rooms/${room.id}/`, { archived: true }));
    renderHeader(app);
  } catch (error) {
    toast(error.message);
  }
}

/** `room.added` names the room by id: its details (name, counts, the people of a DM) come
 * from the API; the subscription (from the start, no `after`) begins at once. `by`: who added
 * this person, when it was someone else. */
export async function onRoomAdded(app, room, by = null) {
  const id = idOf(room);
  if (!id) return;
  subscribe(app, id);
  try {
    const detail = typeof room === "object" && room.name ? room : await get(`/api/rooms/${id}/`);
    const kept = keepRoom(app, { ...detail, is_member: true });
    if (app.previewRoom && app.previewRoom.id === id) app.previewRoom = null;
    renderSidebar(app);
    if (id === app.current) renderHeader(app);
    if (by && by.name) toast(`${by.name} added you to ${roomLabel(kept, me.id)}.`);
  } catch (error) {
    console.warn("room.added", error);
  }
}

/** A room's own fields changed (name, topic, archived: by whom and when). Archived rooms stay
 * known (the sidebar lists them only while on screen), so un-archiving brings them back. */
export async function onRoomUpdated(app, room) {
  if (!room || !room.id) return;
  const known = roomOf(app, room.id);
  if (!known) {
    if (!room.archived) await bringBack(app, room.id);
    return;
  }
  applyRoomFields(known, room);
  for (const key of ["archived_at", "archived_by"]) if (key in room) known[key] = room[key];
  if (!known.archived) delete known.archived_by;
  renderSidebar(app);
  if (room.id === app.current) renderHeader(app);
  if (membersOpenFor(room.id)) refreshMembers(app, room.id);
}

/** A room un-archived that this page had forgotten (it was archived when the rooms loaded). */
async function bringBack(app, roomId) {
  try {
    const detail = await get(`/api/rooms/${roomId}/`);
    if (!detail.is_member) return;
    keepRoom(app, detail);
    renderSidebar(app);
  } catch {
    /* not readable any more: nothing to show */
  }
}

/** This person is no longer in the room. `quiet`: they left themselves (here or in another
 * tab): the first room of the sidebar takes its place. Otherwise (`removed`, `by` someone) the
 * conversation on screen gives way to a notice saying so. */
export function onRoomRemoved(app, roomId, { quiet = false, removed = false, by = null } = {}) {
  if (app.leaving === roomId) {
    quiet = true;
    removed = false;
  }
  const room = app.rooms.get(roomId) || roomOf(app, roomId);
  const had = app.rooms.delete(roomId);
  if (app.previewRoom && app.previewRoom.id === roomId) app.previewRoom = null;
  if (membersOpenFor(roomId)) closeMembers();
  renderSidebar(app);
  if (app.current !== roomId) {
    if (had && by && by.name) toast(`${by.name} removed you from ${roomLabel(room, me.id)}.`);
    return;
  }
  if ((removed || (had && !quiet)) && room) {
    showRemoved(app, room, by);
    return;
  }
  const next = orderOf(app)[0];
  if (next) openRoom(app, next);
  else showNoRooms(app);
}

/** The room on screen is gone for this person: say so where its messages were. */
function showRemoved(app, room, by) {
  const label = roomLabel(room, me.id);
  const { title, text } = removedText(label, by);
  const next = orderOf(app)[0];
  showInstead(app, label, [
    h("div", { class: "empty-icon", "aria-hidden": "true" }, "🚪"),
    h("h2", {}, title),
    h("p", {}, text),
    next ? h("div", { class: "empty-actions" }, h("a", { class: "btn btn-primary", href: `#room-${next}`, "data-room": next }, `Go to ${roomLabel(app.rooms.get(next), me.id)}`)) : "",
  ]);
  renderSidebar(app);
}

/** `room.member_joined`, `room.member_left`, `room.member_updated`: the room's count, this
 * person's own role or membership, and the open members panel. */
export function onMembersChanged(app, frame) {
  const roomId = idOf(frame.room);
  const room = roomOf(app, roomId);
  if (!room) return;
  if (typeof frame.members === "number") room.members = frame.members;
  const mine = idOf(frame.user) === me.id;
  if (mine && frame.type === "room.member_updated") room.role = frame.role;
  if (mine && frame.type === "room.member_left" && app.rooms.has(roomId)) {
    // A public room: still readable, so it stays on screen as a room to join again.
    app.rooms.delete(roomId);
    if (roomId === app.current) app.previewRoom = { ...room, is_member: false, role: null };
    if (frame.by && frame.by.name) toast(`${frame.by.name} removed you from ${roomLabel(room, me.id)}.`);
    renderSidebar(app);
  }
  if (roomId === app.current) renderHeader(app);
  refreshMembers(app, roomId);
}
