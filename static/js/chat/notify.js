// Alerts for mentions and direct messages while the person looks elsewhere (notify_data.js says
// which and what): a browser notification (permission asked once, from a click on a small prompt,
// never on page load; clicking it focuses the tab and opens the message), a short chime made with
// WebAudio, and the tab's title, "(2) #design · Acme". Each can be turned off on the profile page
// (config.notifications).

import { api, serverNow } from "./api.js";
import { config, me } from "./config.js";
import { plainText } from "./notices.js";
import { Pending, alertFor, alertText, alertTitle, baseTitle } from "./notify_data.js";
import { roomLabel } from "./rooms.js";
import { h } from "./util.js";

const settings = { desktop: true, sound: true, ...(config.notifications || {}) };
const PROMPTED_KEY = `chat.notify.prompted.${location.host}.${me.id}`;
// A mention in a public room the person has not joined comes without its message.new: wait
// this long for one before fetching the message.
const MENTION_ALONE_MS = 1500;

const hasNotifications = () => "Notification" in window;
const visible = () => document.visibilityState === "visible";

class Chime {
  constructor() {
    this.context = null;
    this.rung = 0;
    // Browsers start audio only after a gesture: the first click or key readies it.
    const unlock = () => this.ready();
    window.addEventListener("pointerdown", unlock, { once: true, capture: true });
    window.addEventListener("keydown", unlock, { once: true, capture: true });
  }

  ready() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    this.context = this.context || new Context();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
    return this.context;
  }

  /** Two short soft notes, a fifth apart. */
  ring() {
    this.rung += 1;
    const audio = this.ready();
    if (!audio) return;
    const start = audio.currentTime;
    [880, 1320].forEach((frequency, index) => {
      const at = start + index * 0.12;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.28);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.3);
    });
  }
}

function showPrompt() {
  if (!settings.desktop || !hasNotifications() || Notification.permission !== "default") return;
  if (localStorage.getItem(PROMPTED_KEY)) return;
  const close = () => {
    localStorage.setItem(PROMPTED_KEY, "1");
    bar.remove();
  };
  const allow = h("button", { type: "button", class: "btn btn-primary btn-sm", "data-notify": "allow" }, "Turn on notifications");
  const later = h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-notify": "later" }, "Not now");
  const bar = h(
    "div",
    { class: "notify-prompt", id: "notify-prompt", role: "region", "aria-label": "Notifications" },
    h("span", { class: "notify-prompt-text" }, "Get a notification when someone mentions you or writes to you directly?"),
    h("span", { class: "notify-prompt-actions" }, allow, later),
  );
  allow.addEventListener("click", () => {
    // Asked from this click only: browsers ignore (or penalise) a request without one.
    Notification.requestPermission().finally(close);
  });
  later.addEventListener("click", close);
  const banner = document.getElementById("conn-banner");
  if (banner) banner.after(bar);
  else document.body.prepend(bar);
}

export function bindNotify(app) {
  const pending = new Pending();
  const chime = new Chime();
  const base = baseTitle(document.title, "");
  // The title the sidebar wrote last (its unread count and the open room): while alerts are
  // pending the title is theirs, and it comes back once they are seen.
  let ordinary = document.title;
  let mine = "";

  function renderTitle() {
    mine = pending.count ? alertTitle(base, pending.count, pending.latestWhere) : "";
    const wanted = mine || ordinary;
    if (document.title !== wanted) document.title = wanted;
  }

  const titleNode = document.querySelector("title");
  if (titleNode) {
    new MutationObserver(() => {
      if (document.title === mine) return;
      ordinary = document.title;
      if (mine) document.title = mine;
    }).observe(titleNode, { childList: true, characterData: true, subtree: true });
  }

  function popup(alert, text) {
    if (!settings.desktop || !hasNotifications() || Notification.permission !== "granted") return;
    try {
      const note = new Notification(text.title, { body: text.body, tag: `message-${alert.messageId}` });
      note.onclick = () => {
        window.focus();
        app.openRoom(alert.roomId, { around: alert.messageId });
        note.close();
      };
    } catch {
      // Some browsers (Chrome on Android) allow notifications from a service worker only.
    }
  }

  function consider(msg, room) {
    const alert = alertFor(msg, { meId: me.id, room, current: app.current, visible: visible(), now: serverNow() });
    if (!alert) return;
    const where = room ? roomLabel(room, me.id) : "a channel";
    if (!pending.add(alert, where)) return;
    renderTitle();
    if (settings.sound) chime.ring();
    popup(alert, alertText(alert.kind, { author: msg.author.name, where, text: plainText(msg.html) || msg.body }));
  }

  async function mentionAlone(frame) {
    if (app.rooms.has(frame.room) || pending.items.has(frame.message)) return;
    try {
      const [msg, room] = await Promise.all([api("GET", `/api/messages/${frame.message}/`), api("GET", `/api/rooms/${frame.room}/`)]);
      consider(msg, room);
    } catch {
      // Gone or no longer readable: nothing to tell.
    }
  }

  app.socket.addEventListener("frame", (event) => {
    const frame = event.detail;
    if (frame.type === "message.new" && frame.message) consider(frame.message, app.rooms.get(frame.message.room));
    else if (frame.type === "mention" && Number.isInteger(frame.message)) setTimeout(() => mentionAlone(frame), MENTION_ALONE_MS);
  });
  const look = () => {
    if (visible() && app.current && pending.seen(app.current)) renderTitle();
  };
  document.addEventListener("visibilitychange", look);
  setInterval(look, 1000);
  showPrompt();
  // For the console and the browser tests.
  app.notify = { pending, chime, settings };
}
