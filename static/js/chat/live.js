// Live updates: what happens on each (re)open of the socket, and every frame the server sends,
// applied to the history (history_data.js), the sidebar, the thread panel and the outbox.

import { serverNow } from "./api.js";
import { inOpenThread, notePeople, roomState } from "./chat_data.js";
import { me } from "./config.js";
import { refreshDocuments, unfinishedOnScreen, updateDocumentCards } from "./documents.js";
import { el } from "./dom.js";
import { DELETED, countsAsUnread, markDeleted, mergeUpdate, noteSubscribed, placeLive, setReactions } from "./history_data.js";
import { onMembersChanged, onRoomAdded, onRoomRemoved, onRoomUpdated } from "./membership.js";
import { announce, plainText, toast } from "./notices.js";
import { idOf } from "./payload.js";
import { renderMyPresence, renderTyping, replacePresence, setPresence } from "./presence.js";
import { roomLabel } from "./rooms.js";
import { confirm, flushOutbox, onSendError } from "./sending.js";
import { noteRead } from "./sidebar_data.js";
import { canSee, loadRooms, markReadSoon, renderSidebar } from "./sidebar.js";
import { subscribeAll } from "./subscriptions.js";
import { threadUpsert } from "./threads.js";
import { nearBottom, scrollToBottom, upsertElement } from "./timeline.js";
import { noteTyping } from "./typing_data.js";

const ANNOUNCED_CHARS = 140;

export function bindSocket(app) {
  // This person's own dot says "connecting" or "offline" as soon as the socket is not open.
  app.socket.addEventListener("status", () => renderMyPresence(app));
  app.socket.addEventListener("open", (event) => onOpen(app, event.detail.reconnected));
  app.socket.addEventListener("frame", (event) => onFrame(app, event.detail));
}

async function onOpen(app, reconnected) {
  app.socket.send({ type: "presence", status: app.myStatus });
  subscribeAll(app, reconnected);
  flushOutbox(app);
  for (const [room, message] of app.pendingReads) app.socket.send({ type: "read", room, message });
  app.pendingReads.clear();
  if (reconnected) {
    // Documents being read while the socket was down: their frames are gone, ask for them.
    refreshDocuments(unfinishedOnScreen());
    // Counts of rooms this page never opened come from the server, not from the replay.
    await loadRooms(app);
  }
}

const HANDLERS = {
  "message.new": (app, frame) => onMessage(app, frame.message),
  "message.updated": (app, frame) => onUpdated(app, frame.message),
  "message.deleted": (app, frame) => onDeleted(app, frame.id, frame.room),
  "reaction.added": (app, frame) => onReactions(app, idOf(frame.message), frame.room, frame.reactions),
  "reaction.removed": (app, frame) => onReactions(app, idOf(frame.message), frame.room, frame.reactions),
  typing: (app, frame) => onTyping(app, frame.room, frame.user, frame.name),
  read: (app, frame) => onRead(app, frame.room, idOf(frame.user), frame.message),
  presence: (app, frame) => setPresence(app, idOf(frame.user), frame.status),
  "presence.snapshot": (app, frame) => replacePresence(app, frame.users),
  subscribed: (app, frame) => noteSubscribed(roomState(app, frame.room), frame.last_id),
  "room.added": (app, frame) => onRoomAdded(app, frame.room, frame.by),
  "room.updated": (app, frame) => onRoomUpdated(app, frame.room),
  "room.removed": (app, frame) => onRoomRemoved(app, idOf(frame.room), { by: frame.by, removed: true }),
  "room.member_joined": (app, frame) => onMembersChanged(app, frame),
  "room.member_left": (app, frame) => onMembersChanged(app, frame),
  "room.member_updated": (app, frame) => onMembersChanged(app, frame),
  mention: (app, frame) => onMention(app, frame.room, frame.message),
  "document.updated": (app, frame) => updateDocumentCards(frame.document),
  error: (app, frame) => onError(app, frame),
};

function onFrame(app, frame) {
  app.lastFrameAt = serverNow();
  const handler = Object.hasOwn(HANDLERS, frame.type) ? HANDLERS[frame.type] : null;
  if (handler) handler(app, frame);
}

/** Whether the person sees the room's messages as they come (the room on screen, tab visible). */
function watching(app, roomId) {
  return app.current === roomId && canSee();
}

function onMessage(app, msg) {
  if (!msg || !msg.id) return;
  const rs = roomState(app, msg.room);
  notePeople(app, [msg]);
  const mine = msg.author && msg.author.id === me.id;
  if (mine && msg.client_id) confirm(app, msg.client_id);
  rs.maxSeen = Math.max(rs.maxSeen, msg.id);
  if (msg.author) rs.typing.delete(msg.author.id);
  if (app.current === msg.room) renderTyping(app);

  if (inOpenThread(app, msg)) threadUpsert(app, msg);
  if (msg.thread) return; // replies live in their thread; the root's message.updated counts them

  const existed = placeLive(rs, msg);
  if (app.current === msg.room && rs.atLatest) {
    const stick = nearBottom();
    upsertElement(app, msg);
    if (stick || mine) scrollToBottom();
    else if (!existed) el.jumpLatest.hidden = false;
  }
  const room = app.rooms.get(msg.room);
  if (!countsAsUnread(rs, room, msg, { mine, existed })) return;
  if (watching(app, msg.room)) {
    announce(`${msg.author ? msg.author.name : "Someone"}: ${plainText(msg.html).slice(0, ANNOUNCED_CHARS)}`);
    markReadSoon(app);
  } else {
    room.unread = (room.unread || 0) + 1;
    renderSidebar(app);
  }
}

export function onUpdated(app, msg) {
  if (!msg || !msg.id) return;
  const rs = roomState(app, msg.room);
  if (inOpenThread(app, msg)) threadUpsert(app, msg);
  const shown = mergeUpdate(rs, msg);
  if (shown && app.current === msg.room) upsertElement(app, shown);
}

export function onDeleted(app, id, roomId) {
  const shown = markDeleted(roomState(app, roomId), id);
  if (shown && app.current === roomId) upsertElement(app, shown);
  const item = app.thread && app.thread.msgs.get(id);
  if (item) threadUpsert(app, { ...item, ...DELETED });
}

function onReactions(app, id, roomId, reactions) {
  const shown = setReactions(roomState(app, roomId), id, reactions);
  if (shown && app.current === roomId) upsertElement(app, shown);
  if (app.thread && app.thread.msgs.has(id)) threadUpsert(app, { ...app.thread.msgs.get(id), reactions: reactions || [] });
}

/** This person read a room (here or in another tab). */
function onRead(app, roomId, userId, messageId) {
  if (userId !== me.id) return;
  const room = app.rooms.get(roomId);
  if (!room) return;
  if (noteRead(room, roomState(app, roomId).maxSeen, messageId)) renderSidebar(app);
}

function onMention(app, roomId, message) {
  const room = app.rooms.get(roomId);
  if (!room) return;
  if (watching(app, roomId)) return;
  room.mentions = (room.mentions || 0) + 1;
  renderSidebar(app);
  const author = message && typeof message === "object" && message.author ? message.author.name : "Someone";
  announce(`${author} mentioned you in ${roomLabel(room, me.id)}`);
}

function onTyping(app, roomId, user, name) {
  const id = idOf(user);
  if (!id || id === me.id) return;
  const who = name || (typeof user === "object" && user.name) || (app.people.get(id) || {}).name || "Someone";
  noteTyping(roomState(app, roomId).typing, id, who, Date.now());
  if (roomId === app.current) renderTyping(app);
}

function onError(app, frame) {
  const ref = String(frame.ref || "");
  if (ref.startsWith("send:")) {
    onSendError(app, ref.slice(5), frame);
    return;
  }
  if (ref.startsWith("sub:")) {
    // The room went away (deleted, or access lost) while this page was not listening.
    if (frame.code === "not_found" || frame.code === "forbidden") onRoomRemoved(app, Number(ref.slice(4)));
    return;
  }
  toast(frame.detail || "Something went wrong.");
}
