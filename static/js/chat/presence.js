// Presence: this person's own status (active, or away after a while without input; offline or
// connecting while their socket is not open, never a stale "online"), the others' dots in the
// sidebar and the members panel, and the "… is typing" line under the timeline.

import { roomState } from "./chat_data.js";
import { me } from "./config.js";
import { el } from "./dom.js";
import { renderMembersPresence } from "./members.js";
import { ownPresence, presenceLabel } from "./members_data.js";
import { presenceStatus } from "./sidebar_data.js";
import { renderSidebar } from "./sidebar.js";
import { typingNames, typingText } from "./typing_data.js";

const IDLE_AFTER_MS = 3 * 60 * 1000;
const ACTIVITY_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focus"];

export function setPresence(app, userId, status, render = true) {
  if (!userId) return;
  // This page's own person is what its own socket says (another tab may be online meanwhile).
  app.presence.set(userId, userId === me.id ? myPresence(app) : presenceStatus(status));
  if (render) renderPresence(app);
}

/** Everyone's status afresh (the snapshot a socket gets when it opens): whoever is not in it
 * is offline now, however long ago they were last heard of. */
export function replacePresence(app, users) {
  app.presence.clear();
  for (const [id, status] of Object.entries(users || {})) setPresence(app, Number(id), status, false);
  renderMyPresence(app);
}

function renderPresence(app) {
  renderSidebar(app);
  renderMembersPresence(app);
}

function myPresence(app) {
  return ownPresence(app.socket ? app.socket.state : "open", app.myStatus);
}

/** The sidebar's foot and this person's dot everywhere: their choice while the socket is open,
 * "Connecting…" or "Offline" while it is not. */
export function renderMyPresence(app) {
  const status = myPresence(app);
  app.presence.set(me.id, status);
  el.myPresence.dataset.presence = status;
  el.myPresenceLabel.textContent = status === "online" ? "Active" : presenceLabel(status);
  renderPresence(app);
}

export function renderTyping(app) {
  const text = typingText(typingNames(roomState(app, app.current).typing, Date.now()));
  if (el.typing.textContent !== text) el.typing.textContent = text;
}

export function setMyStatus(app, status) {
  app.myStatus = status;
  app.socket.send({ type: "presence", status });
  renderMyPresence(app);
}

/** Away after a while without any input (checked every second). */
export function checkIdle(app) {
  if (app.myStatus === "active" && Date.now() - app.lastActivity > IDLE_AFTER_MS) setMyStatus(app, "idle");
}

/** Any input makes this person active again; coming back to the tab also reads the room. */
export function watchActivity(app, onVisible) {
  const active = () => {
    app.lastActivity = Date.now();
    if (app.myStatus !== "active") setMyStatus(app, "active");
  };
  for (const type of ACTIVITY_EVENTS) window.addEventListener(type, active, { passive: true });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      active();
      onVisible();
    }
  });
}
