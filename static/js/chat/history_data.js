// What this page holds of each room's history, and how pages, replays and live frames merge
// into it. Pure (no page, no network): history.js fetches and draws, this decides.
//
// What must hold:
// - everything is keyed by message id, so a message seen twice (replay and live, a page that
//   overlaps the window) is kept once;
// - `msgs` is the window on screen (thread roots only); while that window is not at the newest
//   (`atLatest` false) live messages wait in `buffer` and join once the window reaches them;
// - `maxSeen` only grows: it is the `after` cursor a (re)subscription resumes from.

import { hasCursor, qs } from "./payload.js";

export const PAGE = 50;
export const AROUND = 25;
/** What a deleted message keeps of its content: nothing. */
export const DELETED = Object.freeze({ deleted: true, body: "", html: "", reactions: [] });

export function newRoomState() {
  return {
    msgs: new Map(), // the window on screen (roots only), by id
    buffer: new Map(), // live messages while the window is not at the newest
    loaded: false,
    hasOlder: true,
    atLatest: true,
    loadingOlder: false,
    loadingNewer: false,
    maxSeen: 0, // the newest message id this page has seen in the room: the `after` cursor
    counted: new Set(), // ids already counted as unread
    typing: new Map(),
    dividerAfter: null,
    blind: false, // subscribed without `after`: what committed before the subscription is not streamed
  };
}

export function messagesPath(roomId, params) {
  return `/api/rooms/${roomId}/messages/${qs(params)}`;
}

/** Replies live in their thread panel; the timeline shows roots only. */
export function keepRoots(messages) {
  return messages.filter((m) => !m.thread);
}

/** Messages this page has now seen: never counted as unread again, and the cursor moves on. */
export function absorb(rs, messages) {
  for (const msg of messages) {
    rs.counted.add(msg.id);
    rs.maxSeen = Math.max(rs.maxSeen, msg.id);
  }
}

export function newestOf(messages) {
  return messages.reduce((newest, msg) => Math.max(newest, msg.id), 0);
}

export function oldestInWindow(rs) {
  const ids = [...rs.msgs.keys()];
  return ids.length ? Math.min(...ids) : null;
}

export function newestInWindow(rs) {
  return Math.max(0, ...rs.msgs.keys());
}

/** Move the messages that waited in the buffer into the window; returns them. */
function releaseBuffer(rs) {
  const released = [...rs.buffer.values()];
  for (const [id, msg] of rs.buffer) rs.msgs.set(id, msg);
  rs.buffer.clear();
  return released;
}

/** The newest page of the room: the window jumps to the newest, with what waited in the buffer. */
export function applyLatest(rs, page, messages) {
  rs.hasOlder = hasCursor(page.next_before);
  absorb(rs, messages);
  if (!rs.atLatest) {
    rs.msgs = new Map();
    rs.atLatest = true;
  }
  for (const msg of keepRoots(messages)) if (!rs.msgs.has(msg.id)) rs.msgs.set(msg.id, msg);
  releaseBuffer(rs);
  rs.loaded = true;
}

/** The pages before and after one message: the window becomes them. When they do not reach the
 * newest, the old window (if it was the newest) waits in the buffer for the way back. */
export function applyAround(rs, older, olderList, newer, newerList) {
  const all = [...olderList, ...newerList];
  absorb(rs, all);
  const atLatest = !hasCursor(newer.next_after);
  if (!atLatest) {
    for (const [id, msg] of rs.msgs) rs.buffer.set(id, msg);
  }
  rs.msgs = new Map();
  for (const msg of keepRoots(all)) rs.msgs.set(msg.id, msg);
  rs.atLatest = atLatest;
  if (atLatest) releaseBuffer(rs);
  rs.hasOlder = hasCursor(older.next_before);
  rs.loaded = true;
}

/** An earlier page joins the window; returns the roots that were not there yet. */
export function addOlder(rs, messages) {
  const added = [];
  for (const msg of keepRoots(messages)) {
    if (rs.msgs.has(msg.id)) continue;
    rs.msgs.set(msg.id, msg);
    added.push(msg);
  }
  return added;
}

/** A later page joins the window; once it reaches the newest, the buffer follows. Returns every
 * message now in the window that must be drawn (page first, then the buffer). */
export function addNewer(rs, page, messages) {
  const shown = keepRoots(messages);
  for (const msg of shown) rs.msgs.set(msg.id, msg);
  if (!hasCursor(page.next_after)) {
    rs.atLatest = true;
    shown.push(...releaseBuffer(rs));
  }
  return shown;
}

/** A live root message: into the window when it is at the newest, else into the buffer.
 * Returns whether it was there already (a replay of something seen). */
export function placeLive(rs, msg) {
  const target = rs.atLatest ? rs.msgs : rs.buffer;
  const existed = target.has(msg.id);
  target.set(msg.id, msg);
  return existed;
}

/** Whether a live message adds one to the room's unread count: someone else's, not counted
 * before, new to this page, past the read position and not deleted. Counts it either way. */
export function countsAsUnread(rs, room, msg, { mine, existed }) {
  if (mine || rs.counted.has(msg.id) || existed) return false;
  rs.counted.add(msg.id);
  return !!room && msg.id > (room.last_read_id || 0) && !msg.deleted;
}

/** A `message.updated` frame; returns the merged message when it is in the window (to redraw). */
export function mergeUpdate(rs, msg) {
  let shown = null;
  for (const map of [rs.msgs, rs.buffer]) {
    if (!map.has(msg.id)) continue;
    map.set(msg.id, { ...map.get(msg.id), ...msg });
    if (map === rs.msgs) shown = map.get(msg.id);
  }
  return shown;
}

/** A deletion; returns the message when it is in the window (to redraw). */
export function markDeleted(rs, id) {
  let shown = null;
  for (const map of [rs.msgs, rs.buffer]) {
    const msg = map.get(id);
    if (!msg) continue;
    Object.assign(msg, DELETED);
    if (map === rs.msgs) shown = msg;
  }
  return shown;
}

/** New reactions of a message; returns it when it is in the window (to redraw). */
export function setReactions(rs, id, reactions) {
  const msg = rs.msgs.get(id) || rs.buffer.get(id);
  if (msg) msg.reactions = reactions || [];
  return rs.msgs.has(id) ? msg : null;
}

/** The newest message of this person in the window that can still be edited (Up arrow). */
export function latestOwn(rs, meId) {
  return [...rs.msgs.values()].filter((m) => m.author && m.author.id === meId && !m.deleted).sort((a, b) => b.id - a.id)[0] || null;
}

/** The `subscribe` frame of a room. A room whose history is loaded always resumes from a
 * cursor (0 for a room still empty), so the server replays what this page missed; without
 * `after` the room streams from now on with no replay. */
export function subscribeFrame(rs, roomId, changesSince) {
  const frame = { type: "subscribe", room: roomId, ref: `sub:${roomId}` };
  if (rs.maxSeen || rs.loaded) frame.after = rs.maxSeen;
  if (changesSince && rs.maxSeen) frame.changes_since = changesSince;
  return frame;
}

/** The server's `subscribed` answer names the room's newest id: before the history is loaded it
 * is the cursor, so a resubscription does not replay the whole room. */
export function noteSubscribed(rs, lastId) {
  if (lastId && !rs.loaded) rs.maxSeen = Math.max(rs.maxSeen, lastId);
}
