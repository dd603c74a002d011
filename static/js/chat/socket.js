// One WebSocket for every room, that comes back by itself.
//
// Reconnects after any drop with exponential backoff and jitter (each wait is between half and
// all of a ceiling that doubles up to 30 s, so a restarted server is not hit by every client in
// the same second); the browser's `offline` event counts as a drop,
// since an open socket may survive a lost network without noticing; `online` retries at once.
// A ping every 25 s that gets no answer within 10 s also counts as a drop (half-open TCP).
//
// Events: "status" {state: connecting|open|waiting|offline, retryAt?, attempt, reconnected},
//         "open" {reconnected}, "frame" {frame}.

import { toLogin } from "./api.js";

const BASE_DELAY = 1000;
const MAX_DELAY = 30000;
const PING_EVERY = 25000;
const PONG_WITHIN = 10000;

export class ChatSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.state = "idle";
    this.attempt = 0;
    this.everOpened = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = false;
    // Leaving the page (signing out, say) closes the socket on purpose: no retry, no redirect.
    window.addEventListener("beforeunload", () => (this.stopped = true));
    window.addEventListener("pageshow", (event) => event.persisted && this.connect());
    window.addEventListener("pagehide", () => (this.stopped = true));
    window.addEventListener("offline", () => this.wentOffline());
    window.addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state === "waiting") this.retryNow();
    });
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    if (navigator.onLine === false) {
      this.waitForNetwork();
      return;
    }
    this.setState("connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setState("open", { reconnected });
      this.startHeartbeat();
      this.dispatchEvent(new CustomEvent("open", { detail: { reconnected } }));
    });
    ws.addEventListener("message", (event) => {
      if (ws !== this.ws) return;
      this.alive();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === "string") this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
    });
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (this.stopped) return;
      if (event.code === 4401) {
        toLogin();
        return;
      }
      if (!this.stopped) this.scheduleRetry();
    });
  }

  /** Send a frame now; false when the socket is not open (the caller keeps it for later). */
  send(frame) {
    if (!this.isOpen) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  retryNow() {
    if (this.stopped || this.isOpen) return;
    if (this.ws && this.ws.readyState === WebSocket.CONNECTING) return;
    this.connect();
  }

  /** The network is gone: drop the socket now rather than wait for TCP to notice. */
  wentOffline() {
    this.drop();
    this.waitForNetwork();
  }

  /** No network: the `online` event retries; a slow poll covers a missed event. */
  waitForNetwork() {
    clearTimeout(this.retryTimer);
    this.setState("offline");
    this.retryTimer = setTimeout(() => this.connect(), 5000);
  }

  drop() {
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    if (ws) {
      try {
        ws.close(4000, "offline");
      } catch {
        /* already closing */
      }
    }
  }

  scheduleRetry() {
    clearTimeout(this.retryTimer);
    if (navigator.onLine === false) {
      this.waitForNetwork();
      return;
    }
    const ceiling = Math.min(MAX_DELAY, BASE_DELAY * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.attempt += 1;
    const retryAt = Date.now() + delay;
    this.setState("waiting", { retryAt });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("status", { detail: { state, attempt: this.attempt, ...extra } }));
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: "ping" })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        // No frame of any kind for 10 s after a ping: the connection is dead.
        this.drop();
        this.scheduleRetry();
      }, PONG_WITHIN);
    }, PING_EVERY);
  }

  alive() {
    clearTimeout(this.pongTimer);
  }

  stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}
