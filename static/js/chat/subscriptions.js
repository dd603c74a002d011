// Following rooms on the socket. On each (re)open every room of the sidebar is subscribed with
// `after` = the newest message id this page has seen in it, so the server replays what was
// missed before streaming, and with `changes_since` for edits, deletions and reactions.

import { roomState } from "./chat_data.js";
import { subscribeFrame } from "./history_data.js";

// `changes_since` is in the server's time (its Date header is second-grained, and a change may
// be committed a little before its frame arrives): ask from a little earlier; repeats are harmless.
const CHANGES_MARGIN_MS = 60 * 1000;

export function subscribe(app, roomId, changesSince) {
  const rs = roomState(app, roomId);
  const frame = subscribeFrame(rs, roomId, changesSince);
  // Without `after` the room streams from now on with no replay: once its history is loaded
  // it is subscribed again from the newest message loaded, so nothing falls in between.
  if (app.socket.send(frame)) rs.blind = !frame.after;
}

/** Every room followed again after a reconnect, with the changes made while the socket was down. */
export function subscribeAll(app, reconnected) {
  const since = reconnected && app.lastFrameAt ? new Date(app.lastFrameAt - CHANGES_MARGIN_MS).toISOString() : undefined;
  for (const id of app.rooms.keys()) subscribe(app, id, since);
  if (app.current && !app.rooms.has(app.current)) subscribe(app, app.current, since);
}
