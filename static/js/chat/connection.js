// The connection banner: connecting, offline, the countdown to the next try (with "Retry now"),
// and a short "Reconnected" once the socket is back.

import { el } from "./dom.js";

const RECONNECTED_SHOWN_MS = 2500;
let connection = null;
let bannerTimer = null;

/** `detail` is the socket's "status" event: {state, retryAt?, reconnected}. */
function showConnection(socket, detail) {
  el.app.dataset.connection = detail.state;
  connection = detail;
  clearTimeout(bannerTimer);
  el.banner.className = "conn-banner";
  if (detail.state === "open") {
    if (detail.reconnected) {
      el.banner.hidden = false;
      el.banner.classList.add("ok");
      el.bannerText.textContent = "Reconnected. You are up to date.";
      el.bannerRetry.hidden = true;
      bannerTimer = setTimeout(() => (el.banner.hidden = true), RECONNECTED_SHOWN_MS);
    } else el.banner.hidden = true;
    return;
  }
  el.banner.hidden = false;
  el.bannerRetry.hidden = detail.state === "connecting";
  if (detail.state === "connecting") {
    el.banner.classList.add("info");
    el.bannerText.textContent = socket.everOpened ? "Reconnecting…" : "Connecting…";
  } else if (detail.state === "offline") {
    el.banner.classList.add("warn");
    el.bannerText.textContent = "You are offline. Messages you send will be delivered when the connection is back.";
  } else {
    el.banner.classList.add("warn");
    renderCountdown();
  }
}

/** The seconds to the next try, redrawn every second while waiting. */
export function renderCountdown() {
  if (!connection || connection.state !== "waiting") return;
  const seconds = Math.max(0, Math.ceil((connection.retryAt - Date.now()) / 1000));
  el.bannerText.textContent = `Connection lost. Retrying in ${seconds}s…`;
}

export function bindConnection(socket) {
  socket.addEventListener("status", (event) => showConnection(socket, event.detail));
  el.bannerRetry.addEventListener("click", () => socket.retryNow());
}
