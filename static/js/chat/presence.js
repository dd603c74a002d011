// Presence: this person's own status (active, or away after a while without input), the others'
// dots in the sidebar, and the "… is typing" line under the timeline.

import { roomState } from "./chat_data.js";
import { el } from "./dom.js";
import { presenceStatus } from "./sidebar_data.js";
import { renderSidebar } from "./sidebar.js";
import { typingNames, typingText } from "./typing_data.js";

const IDLE_AFTER_MS = 3 * 60 * 1000;
const ACTIVITY_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focus"];

export function setPresence(app, userId, status, render = true) {
  if (!userId) return;
  app.presence.set(userId, presenceStatus(status));
  if (render) renderSidebar(app);
}

export function renderTyping(app) {
  const text = typingText(typingNames(roomState(app, app.current).typing, Date.now()));
  if (el.typing.textContent !== text) el.typing.textContent = text;
}

export function setMyStatus(app, status) {
  app.myStatus = status;
  app.socket.send({ type: "presence", status });
  el.myPresence.dataset.presence = status;
  el.myPresenceLabel.textContent = status === "active" ? "Active" : "Away";
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
