// Rooms coming and going: joined, created, left, archived here, or added, changed and removed
// by frames (someone else's doing, or this person's in another tab). The dialogs are in
// dialogs.js.

import { del, get, patch, post } from "./api.js";
import { roomOf } from "./chat_data.js";
import { me } from "./config.js";
import { confirmDialog } from "./dialogs.js";
import { renderHeader } from "./header.js";
import { openRoom } from "./history.js";
import { toast } from "./notices.js";
import { idOf } from "./payload.js";
import { roomLabel } from "./rooms.js";
import { applyRoomFields } from "./sidebar_data.js";
import { keepRoom, orderOf, renderSidebar } from "./sidebar.js";
import { subscribe } from "./subscriptions.js";
import { showNoRooms } from "./timeline.js";

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
  try {
    await del(`/api/rooms/${room.id}/members/${me.id}/`);
    app.socket.send({ type: "unsubscribe", room: room.id });
    onRoomRemoved(app, room.id, { quiet: true });
  } catch (error) {
    toast(error.message);
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
 * from the API; the subscription (from the start, no `after`) begins at once. */
export async function onRoomAdded(app, room) {
  const id = idOf(room);
  if (!id) return;
  subscribe(app, id);
  try {
    const detail = typeof room === "object" && room.name ? room : await get(`/api/rooms/${id}/`);
    keepRoom(app, { ...detail, is_member: true });
    if (app.previewRoom && app.previewRoom.id === id) app.previewRoom = null;
    renderSidebar(app);
    if (id === app.current) renderHeader(app);
  } catch (error) {
    console.warn("room.added", error);
  }
}

/** A room's own fields changed (name, topic, archived); an archived room leaves the sidebar
 * unless it is on screen. */
export function onRoomUpdated(app, room) {
  if (!room || !room.id) return;
  const known = roomOf(app, room.id);
  if (!known) return;
  applyRoomFields(known, room);
  if (known.archived && app.rooms.has(room.id) && room.id !== app.current) app.rooms.delete(room.id);
  renderSidebar(app);
  if (room.id === app.current) renderHeader(app);
}

/** This person is no longer in the room; if it was on screen, the first room of the sidebar
 * takes its place. `quiet`: they left themselves, no need to say so. */
export function onRoomRemoved(app, roomId, { quiet = false } = {}) {
  const had = app.rooms.delete(roomId);
  renderSidebar(app);
  if (app.current === roomId) {
    if (had && !quiet) toast("You are no longer in that conversation.");
    const next = orderOf(app)[0];
    if (next) openRoom(app, next);
    else showNoRooms(app);
  }
}
