// The chat app's entry point: the state (chat_data.js), the socket and the outbox, and every
// feature module wired to them.
//
// Reliability, in short:
// - one socket for every room; on each (re)open every room of the sidebar is resubscribed from
//   the newest message this page has seen in it, so the server replays what was missed
//   (subscriptions.js);
// - everything is keyed by message id, so a message seen twice (replay and live, or a re-sent
//   message) is shown once (history_data.js);
// - what the person writes goes to the outbox (localStorage) with a client_id first, and leaves
//   it only when the server's `message.new` with that client_id arrives; it is re-sent with the
//   same client_id after every reconnect (outbox.js, sending.js).

import { bindActions } from "./actions.js";
import { createChat } from "./chat_data.js";
import { bindUploads, setupComposers } from "./compose.js";
import { bindConnection, renderCountdown } from "./connection.js";
import { config, me } from "./config.js";
import { el } from "./dom.js";
import { bindMenu } from "./header.js";
import { bindTimeline, openRoom } from "./history.js";
import { bindKeys } from "./keys.js";
import { bindSocket } from "./live.js";
import { enterRoom, joinRoom, onRoomUpdated } from "./membership.js";
import { bindMentionNotices } from "./mentions.js";
import { toast } from "./notices.js";
import { bindNotify } from "./notify.js";
import { Outbox } from "./outbox.js";
import { checkIdle, renderTyping, setMyStatus, watchActivity } from "./presence.js";
import { markOverdue } from "./sending.js";
import { loadRooms, markReadSoon, orderOf } from "./sidebar.js";
import { ChatSocket } from "./socket.js";
import { showNoRooms } from "./timeline.js";
import { isMac } from "./util.js";

const FLASH_SHOWN_MS = 6000;

function createApp() {
  const app = createChat(me);
  app.outbox = new Outbox(`chat.outbox.${location.host}.${me.id}`);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  app.socket = new ChatSocket(`${scheme}//${location.host}${config.socket_path}`);
  // What the dialogs (dialogs.js) act through, also reachable from the console.
  Object.assign(app, {
    openRoom: (roomId, opts) => openRoom(app, roomId, opts),
    enterRoom: (room) => enterRoom(app, room),
    joinRoom: (roomId) => joinRoom(app, roomId),
    onRoomUpdated: (room) => onRoomUpdated(app, room),
    sidebarOrder: () => orderOf(app),
    setMyStatus: (status) => setMyStatus(app, status),
    toast,
  });
  return app;
}

/** Every second: the reconnection countdown, typing lines running out, messages the server
 * has not confirmed in time, and going idle. */
function tick(app) {
  renderCountdown();
  if (app.current) renderTyping(app);
  markOverdue(app);
  checkIdle(app);
}

async function start(app) {
  for (const node of document.querySelectorAll("[data-mod-key]")) node.textContent = node.textContent.replace("Ctrl", isMac ? "⌘" : "Ctrl");
  setupComposers(app);
  for (const flash of document.querySelectorAll("[data-flash]")) setTimeout(() => flash.remove(), FLASH_SHOWN_MS);
  bindActions(app);
  bindMenu();
  bindTimeline(app);
  bindKeys(app);
  bindUploads(app);
  bindConnection(app.socket);
  bindSocket(app);
  bindNotify(app);
  bindMentionNotices(app);
  watchActivity(app, () => markReadSoon(app));
  setInterval(() => tick(app), 1000);

  await loadRooms(app);
  app.socket.connect();
  // A link to a room (#room-12) opens it, even a public room not joined yet.
  const fromHash = Number((location.hash.match(/^#room-(\d+)/) || [])[1]);
  el.app.dataset.state = "ready";
  if (fromHash) await openRoom(app, fromHash);
  if (!app.current) {
    const first = orderOf(app)[0];
    if (first) await openRoom(app, first, { link: false });
    else showNoRooms(app);
  }
}

const app = createApp();
window.chatApp = app; // reachable from the console (and the browser tests)
start(app).catch((error) => {
  console.error(error);
  el.app.dataset.state = "error";
});
