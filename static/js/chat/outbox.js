// Messages written but not yet confirmed by the server, kept in localStorage so that neither a
// dropped network nor a closed tab loses them. An entry leaves only when the server's
// `message.new` carrying its client_id arrives; until then it is re-sent, always with the same
// client_id, so the server stores it once.

export class Outbox {
  constructor(key) {
    this.key = key;
    this.items = new Map();
    try {
      const saved = JSON.parse(localStorage.getItem(key) || "[]");
      for (const item of saved) if (item && item.client_id && item.room) this.items.set(item.client_id, item);
    } catch {
      /* storage unreadable: start empty */
    }
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify([...this.items.values()]));
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
