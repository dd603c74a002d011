// Sending, with the outbox: what the person writes goes to the outbox (localStorage) with a
// client_id first, is shown at once as pending, and leaves the outbox only when the server's
// `message.new` with that client_id arrives. It is re-sent with the same client_id after every
// reconnect (the server stores it once). The bookkeeping itself is in outbox.js.

import { me } from "./config.js";
import { el } from "./dom.js";
import { pendingElement } from "./messages.js";
import { outboxItem, retryAfterError, sendFrame, takeOverdue } from "./outbox.js";
import { relayoutTimeline, scrollToBottom, updateEmpty } from "./timeline.js";
import { uuid } from "./util.js";

export function send(app, roomId, body, thread, documents = []) {
  if (!roomId) return;
  const item = app.outbox.add(outboxItem({ clientId: uuid(), room: roomId, body, thread, documents, now: Date.now() }));
  renderPending(app, item);
  transmit(app, item);
}

function transmit(app, item) {
  if (app.socket.send(sendFrame(item))) app.unconfirmed.set(item.client_id, Date.now());
}

/** After every (re)connect: everything not yet confirmed goes again, with its client_id. */
export function flushOutbox(app) {
  for (const item of app.outbox.all()) {
    if (item.refused) continue;
    if (item.state === "failed") renderPending(app, app.outbox.update(item.client_id, { state: "sending", error: null }));
    transmit(app, item);
  }
}

function removePending(clientId) {
  for (const node of document.querySelectorAll(`[id="p-${CSS.escape(clientId)}"]`)) node.remove();
}

/** The server stored the message of this client_id (its `message.new` arrived). */
export function confirm(app, clientId) {
  app.unconfirmed.delete(clientId);
  if (app.outbox.remove(clientId) || document.getElementById(`p-${clientId}`)) removePending(clientId);
}

export function retry(app, clientId) {
  const item = app.outbox.update(clientId, { state: "sending", error: null, attempts: 0, refused: false });
  if (!item) return;
  renderPending(app, item);
  transmit(app, item);
}

export function discard(app, clientId) {
  app.outbox.remove(clientId);
  app.unconfirmed.delete(clientId);
  removePending(clientId);
}

/** The server refused the message of this client_id (an `error` frame with ref `send:…`). */
export function onSendError(app, clientId, frame) {
  const item = app.outbox.get(clientId);
  if (!item) return;
  const again = retryAfterError(item, frame.code);
  if (again) {
    app.outbox.update(clientId, { attempts: again.attempts });
    setTimeout(() => app.outbox.get(clientId) && transmit(app, app.outbox.get(clientId)), again.delay);
    return;
  }
  renderPending(app, app.outbox.update(clientId, { state: "failed", refused: true, error: frame.detail || "Not sent." }));
}

/** Messages the server has not confirmed in time are shown as not sent (with Retry); they
 * still go again by themselves after a reconnect. */
export function markOverdue(app) {
  if (!app.socket.isOpen) return;
  for (const clientId of takeOverdue(app.unconfirmed, Date.now())) {
    const item = app.outbox.update(clientId, { state: "failed", error: "Not confirmed by the server yet." });
    if (item) renderPending(app, item);
  }
}

/** Show (or refresh) a pending message where it belongs: the room's list or the thread's. */
function renderPending(app, item) {
  const list = item.thread ? (app.thread && app.thread.root === item.thread ? app.thread.list : null) : item.room === app.current ? el.list : null;
  if (!list) return;
  const fresh = pendingElement(item, me);
  const old = list.querySelector(`[id="p-${CSS.escape(item.client_id)}"]`);
  if (old) old.replaceWith(fresh);
  else list.append(fresh);
  if (list === el.list) {
    relayoutTimeline(app);
    updateEmpty(app);
    scrollToBottom();
  } else {
    app.thread.scroller.scrollTop = app.thread.scroller.scrollHeight;
  }
}
