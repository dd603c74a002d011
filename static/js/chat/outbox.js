// Messages written but not yet confirmed by the server, kept in localStorage so that neither a
// dropped network nor a closed tab loses them. An entry leaves only when the server's
// `message.new` carrying its client_id arrives; until then it is re-sent, always with the same
// client_id, so the server stores it once.
//
// Pure bookkeeping (no page): sending.js sends the frames and draws the pending messages.

// Passing trouble: the same client_id goes again by itself, a few times, ever more slowly.
const TRANSIENT_ERRORS = new Set(["rate_limited", "server_error"]);
const AUTO_RETRIES = 5;
const RETRY_STEP_MS = 1500;
// A message sent on an open socket and not confirmed in this time is shown as not sent.
export const UNCONFIRMED_AFTER_MS = 20000;

export class Outbox {
  /** `storage` is the page's localStorage; any object with getItem/setItem will do. */
  constructor(key, storage = globalThis.localStorage) {
    this.key = key;
    this.storage = storage;
    this.items = new Map();
    try {
      const saved = JSON.parse(this.storage.getItem(key) || "[]");
      for (const item of saved) if (item && item.client_id && item.room) this.items.set(item.client_id, item);
    } catch {
      /* storage unreadable: start empty */
    }
  }

  save() {
    try {
      this.storage.setItem(this.key, JSON.stringify([...this.items.values()]));
    } catch {
      /* storage full or disabled: the entry still lives in memory */
    }
  }

  add(item) {
    this.items.set(item.client_id, { state: "sending", ...item });
    this.save();
    return this.items.get(item.client_id);
  }

  get(clientId) {
    return this.items.get(clientId);
  }

  update(clientId, changes) {
    const item = this.items.get(clientId);
    if (!item) return null;
    Object.assign(item, changes);
    this.save();
    return item;
  }

  remove(clientId) {
    const had = this.items.delete(clientId);
    if (had) this.save();
    return had;
  }

  forRoom(roomId, thread = null) {
    return [...this.items.values()]
      .filter((item) => item.room === roomId && (item.thread || null) === thread)
      .sort((a, b) => a.created - b.created);
  }

  all() {
    return [...this.items.values()].sort((a, b) => a.created - b.created);
  }
}

/** An outbox entry for a message being written now. */
export function outboxItem({ clientId, room, body, thread = null, documents = [], now }) {
  return { client_id: clientId, room, body, thread: thread || null, attachments: documents.map((doc) => doc.id), documents, created: now };
}

/** The `message.send` frame of an entry; its ref brings the server's refusal back to it. */
export function sendFrame(item) {
  const frame = { type: "message.send", room: item.room, body: item.body, client_id: item.client_id, ref: `send:${item.client_id}` };
  if (item.thread) frame.thread = item.thread;
  if (item.attachments && item.attachments.length) frame.attachments = item.attachments;
  return frame;
}

/** The server refused an entry with `code`. A passing trouble is tried again by itself:
 * {attempts, delay} to record and wait; null when re-sending would not help (the person decides:
 * retry or discard). */
export function retryAfterError(item, code) {
  const attempts = (item.attempts || 0) + 1;
  if (!TRANSIENT_ERRORS.has(code) || attempts > AUTO_RETRIES) return null;
  return { attempts, delay: RETRY_STEP_MS * attempts };
}

/** The entries sent (client_id → when) that the server has not confirmed in time, as of `now`;
 * they leave `unconfirmed`. */
export function takeOverdue(unconfirmed, now) {
  const overdue = [];
  for (const [clientId, since] of unconfirmed) {
    if (now - since > UNCONFIRMED_AFTER_MS) {
      unconfirmed.delete(clientId);
      overdue.push(clientId);
    }
  }
  return overdue;
}
