// The outbox's bookkeeping: what is kept, what is sent, when it goes again.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Outbox, UNCONFIRMED_AFTER_MS, outboxItem, retryAfterError, sendFrame, takeOverdue } from "../../static/js/chat/outbox.js";

class MemoryStorage {
  constructor(data = {}) {
    this.data = { ...data };
  }
  getItem(key) {
    return key in this.data ? this.data[key] : null;
  }
  setItem(key, value) {
    this.data[key] = String(value);
  }
}

const item = (clientId, extra = {}) => outboxItem({ clientId, room: 1, body: "hi", now: 100, ...extra });

describe("Outbox", () => {
  test("entries survive a new page (the storage), in the order they were written", () => {
    const storage = new MemoryStorage();
    const first = new Outbox("k", storage);
    first.add(item("b", { now: 200 }));
    first.add(item("a", { now: 100 }));
    const again = new Outbox("k", storage);
    assert.deepEqual(again.all().map((i) => i.client_id), ["a", "b"]);
    assert.equal(again.get("a").state, "sending");
  });

  test("an entry leaves only when removed, and removing twice says so", () => {
    const outbox = new Outbox("k", new MemoryStorage());
    outbox.add(item("a"));
    assert.equal(outbox.remove("a"), true);
    assert.equal(outbox.remove("a"), false);
    assert.equal(outbox.update("a", { state: "failed" }), null);
  });

  test("a room's entries are its own, the thread's apart", () => {
    const outbox = new Outbox("k", new MemoryStorage());
    outbox.add(item("a"));
    outbox.add(item("b", { thread: 5 }));
    outbox.add(item("c", { room: 2 }));
    assert.deepEqual(outbox.forRoom(1).map((i) => i.client_id), ["a"]);
    assert.deepEqual(outbox.forRoom(1, 5).map((i) => i.client_id), ["b"]);
  });

  test("unreadable storage starts empty, and storage that refuses writes keeps entries in memory", () => {
    const broken = new MemoryStorage({ k: "{not json" });
    broken.setItem = () => {
      throw new Error("full");
    };
    const outbox = new Outbox("k", broken);
    assert.equal(outbox.all().length, 0);
    outbox.add(item("a"));
    assert.equal(outbox.get("a").body, "hi");
  });

  test("saved entries without a client_id or room are dropped", () => {
    const storage = new MemoryStorage({ k: JSON.stringify([{ client_id: "a" }, { client_id: "b", room: 1 }, null]) });
    assert.deepEqual(new Outbox("k", storage).all().map((i) => i.client_id), ["b"]);
  });
});

describe("sending", () => {
  test("the frame carries the client_id, and the thread and attachments only when there are some", () => {
    assert.deepEqual(sendFrame(item("a")), { type: "message.send", room: 1, body: "hi", client_id: "a", ref: "send:a" });
    const frame = sendFrame(item("b", { thread: 4, documents: [{ id: 7 }, { id: 8 }] }));
    assert.equal(frame.thread, 4);
    assert.deepEqual(frame.attachments, [7, 8]);
  });

  test("a passing error goes again, ever more slowly, five times at most", () => {
    assert.deepEqual(retryAfterError({}, "rate_limited"), { attempts: 1, delay: 1500 });
    assert.deepEqual(retryAfterError({ attempts: 2 }, "server_error"), { attempts: 3, delay: 4500 });
    assert.equal(retryAfterError({ attempts: 5 }, "rate_limited"), null);
  });

  test("a refusal is not retried by itself", () => {
    assert.equal(retryAfterError({}, "forbidden"), null);
    assert.equal(retryAfterError({}, undefined), null);
  });

  test("only the entries unconfirmed for too long are taken, once", () => {
    const unconfirmed = new Map([
      ["old", 0],
      ["new", 5000],
    ]);
    const now = UNCONFIRMED_AFTER_MS + 1;
    assert.deepEqual(takeOverdue(unconfirmed, now), ["old"]);
    assert.deepEqual([...unconfirmed.keys()], ["new"]);
    assert.deepEqual(takeOverdue(unconfirmed, now), []);
  });
});
