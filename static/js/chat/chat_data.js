// The state of the chat page as one object, handed to every feature module (as `app`): the
// rooms of the sidebar, each room's history, people and their presence, what is on screen.
// Pure: the page's widgets are added to it by app.js (socket, outbox) and compose.js (composers).

import { newRoomState } from "./history_data.js";

export function createChat(me) {
  return {
    rooms: new Map(), // the sidebar's rooms (this person is a member), by id
    state: new Map(), // each room's history on this page (history_data.js), by id
    people: new Map([[me.id, { id: me.id, name: me.name }]]),
    presence: new Map(), // person id → online, idle, offline
    current: null, // the room on screen
    previewRoom: null, // a public room looked at without joining (not in `rooms`)
    thread: null, // the open thread: {root, room, msgs, list, scroller}
    lastFrameAt: null, // the server's time of the last frame, for `changes_since`
    pendingReads: new Map(), // read positions the socket and the API could not send yet
    drafts: new Map(), // what was being written in each room
    myStatus: "active",
    lastActivity: Date.now(),
    unconfirmed: new Map(), // client_id → when it was sent on an open socket
  };
}

export function roomState(app, id) {
  let rs = app.state.get(id);
  if (!rs) {
    rs = newRoomState();
    app.state.set(id, rs);
  }
  return rs;
}

/** A room of the sidebar, or the public room being looked at without joining. */
export function roomOf(app, id) {
  if (app.rooms.has(id)) return app.rooms.get(id);
  return app.previewRoom && app.previewRoom.id === id ? app.previewRoom : null;
}

/** A message on screen by id: in the thread panel when `inThread`, else the timeline first. */
export function findMessage(app, id, inThread) {
  if (inThread && app.thread) return app.thread.msgs.get(id);
  const rs = roomState(app, app.current);
  return rs.msgs.get(id) || (app.thread && app.thread.msgs.get(id));
}

/** The open thread shows this message (its root or one of its replies). */
export function inOpenThread(app, msg) {
  return !!app.thread && (msg.id === app.thread.root || msg.thread === app.thread.root);
}

/** People met in messages and rooms, for names in typing lines and the like. */
export function notePeople(app, messages) {
  for (const msg of messages) if (msg.author) app.people.set(msg.author.id, msg.author);
}
