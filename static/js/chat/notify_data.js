// When a live message alerts the person (a browser notification, a sound, the tab's title), and
// what the alert says. Pure: notify.js does the browser's part.
//
// An alert is a message of someone else that mentions the person, or any message of someone
// else in a direct message, while the tab is hidden or that room is not the open one. Messages
// replayed after a reconnect are older than FRESH_MS and stay quiet: they were news earlier.

export const FRESH_MS = 2 * 60 * 1000;
export const BODY_CHARS = 140;

/** {roomId, messageId, kind: "mention"|"direct"} or null. */
export function alertFor(msg, { meId, room, current, visible, now }) {
  if (!msg || !msg.id || msg.deleted || !msg.author || msg.author.id === meId) return null;
  if (visible && current === msg.room) return null;
  const created = Date.parse(msg.created_at);
  if (Number.isFinite(created) && now - created > FRESH_MS) return null;
  if (room && room.kind === "direct") return { roomId: msg.room, messageId: msg.id, kind: "direct" };
  if ((msg.mentions || []).includes(meId)) return { roomId: msg.room, messageId: msg.id, kind: "mention" };
  return null;
}

/** The notification's title and body. `where` is the room's label, `text` the message's text. */
export function alertText(kind, { author, where, text }) {
  const title = kind === "direct" ? `${author || "Someone"} (direct message)` : `${author || "Someone"} mentioned you in ${where}`;
  const flat = (text || "").replace(/\s+/g, " ").trim();
  const body = flat.length > BODY_CHARS ? `${flat.slice(0, BODY_CHARS - 1)}…` : flat;
  return { title, body };
}

/** The alerts not yet seen, per message, newest last. */
export class Pending {
  constructor() {
    this.items = new Map();
  }

  /** False when this message already alerted (a mention frame and its message.new). */
  add(alert, where) {
    if (this.items.has(alert.messageId)) return false;
    this.items.set(alert.messageId, { ...alert, where });
    return true;
  }

  /** The person looks at the room now: its alerts are seen. True when something went. */
  seen(roomId) {
    let changed = false;
    for (const [id, item] of this.items) {
      if (item.roomId === roomId) {
        this.items.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  get count() {
    return this.items.size;
  }

  /** The label of the room of the newest alert, or "". */
  get latestWhere() {
    let where = "";
    for (const item of this.items.values()) where = item.where;
    return where;
  }
}

/** The tab's title without any count or room in front: "Acme" of "(2) #design · Acme". */
export function baseTitle(title, roomPart) {
  const bare = title.replace(/^\(\d+\+?\) /, "");
  return roomPart && bare.startsWith(`${roomPart} · `) ? bare.slice(roomPart.length + 3) : bare;
}

/** "(2) #design · Acme", or the base alone when nothing is pending. */
export function alertTitle(base, count, where) {
  if (!count) return base;
  return where ? `(${count}) ${where} · ${base}` : `(${count}) ${base}`;
}
