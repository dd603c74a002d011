// The merging of pages, replays and live messages into a room's history.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  addNewer,
  addOlder,
  applyAround,
  applyLatest,
  countsAsUnread,
  latestOwn,
  markDeleted,
  mergeUpdate,
  messagesPath,
  newRoomState,
  noteSubscribed,
  oldestInWindow,
  placeLive,
  setReactions,
  subscribeFrame,
} from "../../static/js/chat/history_data.js";

const msg = (id, extra = {}) => ({ id, room: 1, body: `m${id}`, author: { id: 7, name: "Bob" }, ...extra });
const ids = (map) => [...map.keys()].sort((a, b) => a - b);

describe("applyLatest", () => {
  test("a first page fills the window, keeps roots only and moves the cursor", () => {
    const rs = newRoomState();
    applyLatest(rs, { next_before: 3 }, [msg(3), msg(4), msg(5, { thread: 3 })]);
    assert.deepEqual(ids(rs.msgs), [3, 4]);
    assert.equal(rs.maxSeen, 5);
    assert.equal(rs.hasOlder, true);
    assert.equal(rs.loaded, true);
  });

  test("a message seen live and again in the page is kept once, the live copy winning", () => {
    const rs = newRoomState();
    placeLive(rs, msg(4, { body: "live" }));
    applyLatest(rs, { next_before: null }, [msg(3), msg(4)]);
    assert.deepEqual(ids(rs.msgs), [3, 4]);
    assert.equal(rs.msgs.get(4).body, "live");
    assert.equal(rs.hasOlder, false);
  });

  test("a window away from the newest is replaced, and the buffered live messages join it", () => {
    const rs = newRoomState();
    rs.atLatest = false;
    rs.msgs.set(1, msg(1));
    rs.buffer.set(9, msg(9));
    applyLatest(rs, {}, [msg(7), msg(8)]);
    assert.deepEqual(ids(rs.msgs), [7, 8, 9]);
    assert.equal(rs.buffer.size, 0);
    assert.equal(rs.atLatest, true);
  });
});

describe("applyAround", () => {
  test("pages that do not reach the newest park the newest window in the buffer", () => {
    const rs = newRoomState();
    applyLatest(rs, {}, [msg(90), msg(91)]);
    applyAround(rs, { next_before: 10 }, [msg(10), msg(11)], { next_after: 13 }, [msg(12), msg(13)]);
    assert.deepEqual(ids(rs.msgs), [10, 11, 12, 13]);
    assert.deepEqual(ids(rs.buffer), [90, 91]);
    assert.equal(rs.atLatest, false);
    assert.equal(rs.hasOlder, true);
  });

  test("pages that reach the newest take the buffer in", () => {
    const rs = newRoomState();
    rs.buffer.set(20, msg(20));
    applyAround(rs, { next_before: null }, [msg(10)], { next_after: null }, [msg(11)]);
    assert.deepEqual(ids(rs.msgs), [10, 11, 20]);
    assert.equal(rs.atLatest, true);
    assert.equal(rs.hasOlder, false);
  });
});

describe("paging", () => {
  test("an earlier page adds only what the window lacks, and says what it added", () => {
    const rs = newRoomState();
    applyLatest(rs, {}, [msg(5), msg(6)]);
    const added = addOlder(rs, [msg(3), msg(4, { thread: 3 }), msg(5)]);
    assert.deepEqual(added.map((m) => m.id), [3]);
    assert.equal(oldestInWindow(rs), 3);
  });

  test("a later page that reaches the newest releases the buffer after its own messages", () => {
    const rs = newRoomState();
    rs.atLatest = false;
    rs.msgs.set(1, msg(1));
    rs.buffer.set(9, msg(9));
    const shown = addNewer(rs, { next_after: null }, [msg(2)]);
    assert.deepEqual(shown.map((m) => m.id), [2, 9]);
    assert.equal(rs.atLatest, true);
  });

  test("a later page short of the newest leaves the buffer waiting", () => {
    const rs = newRoomState();
    rs.atLatest = false;
    rs.buffer.set(9, msg(9));
    assert.deepEqual(addNewer(rs, { next_after: 3 }, [msg(2)]).map((m) => m.id), [2]);
    assert.equal(rs.atLatest, false);
    assert.equal(rs.buffer.size, 1);
  });

  test("an empty window has no oldest message to page from", () => {
    assert.equal(oldestInWindow(newRoomState()), null);
  });

  test("the messages path carries only the parameters given", () => {
    assert.equal(messagesPath(4, { before: 10, limit: 50, after: undefined }), "/api/rooms/4/messages/?before=10&limit=50");
  });
});

describe("live messages", () => {
  test("a live message waits in the buffer while the window is not at the newest", () => {
    const rs = newRoomState();
    rs.atLatest = false;
    assert.equal(placeLive(rs, msg(5)), false);
    assert.equal(rs.buffer.has(5), true);
    assert.equal(rs.msgs.has(5), false);
    assert.equal(placeLive(rs, msg(5)), true);
  });

  test("someone else's new message past the read position counts once as unread", () => {
    const rs = newRoomState();
    const room = { last_read_id: 4 };
    assert.equal(countsAsUnread(rs, room, msg(5), { mine: false, existed: false }), true);
    assert.equal(countsAsUnread(rs, room, msg(5), { mine: false, existed: false }), false);
  });

  test("one's own, replayed, already read or deleted messages do not count as unread", () => {
    const room = { last_read_id: 4 };
    assert.equal(countsAsUnread(newRoomState(), room, msg(5), { mine: true, existed: false }), false);
    assert.equal(countsAsUnread(newRoomState(), room, msg(5), { mine: false, existed: true }), false);
    assert.equal(countsAsUnread(newRoomState(), room, msg(3), { mine: false, existed: false }), false);
    assert.equal(countsAsUnread(newRoomState(), room, msg(6, { deleted: true }), { mine: false, existed: false }), false);
    assert.equal(countsAsUnread(newRoomState(), null, msg(6), { mine: false, existed: false }), false);
  });

  test("a message loaded with a page is never counted as unread afterwards", () => {
    const rs = newRoomState();
    applyLatest(rs, {}, [msg(5)]);
    assert.equal(countsAsUnread(rs, { last_read_id: 0 }, msg(5), { mine: false, existed: false }), false);
  });
});

describe("changes to messages", () => {
  test("an update merges into both window and buffer and returns the copy on screen", () => {
    const rs = newRoomState();
    rs.msgs.set(1, msg(1, { reactions: [{ emoji: "👍" }] }));
    const shown = mergeUpdate(rs, { id: 1, room: 1, body: "edited" });
    assert.equal(shown.body, "edited");
    assert.deepEqual(shown.reactions, [{ emoji: "👍" }]);
    rs.buffer.set(2, msg(2));
    assert.equal(mergeUpdate(rs, { id: 2, body: "x" }), null);
    assert.equal(rs.buffer.get(2).body, "x");
  });

  test("a deletion empties the message wherever it is", () => {
    const rs = newRoomState();
    rs.msgs.set(1, msg(1, { html: "<p>hi</p>" }));
    const shown = markDeleted(rs, 1);
    assert.equal(shown.deleted, true);
    assert.equal(shown.html, "");
    assert.equal(markDeleted(rs, 99), null);
  });

  test("reactions replace the message's own, and only a message on screen is returned", () => {
    const rs = newRoomState();
    rs.buffer.set(2, msg(2));
    assert.equal(setReactions(rs, 2, [{ emoji: "🎉" }]), null);
    assert.deepEqual(rs.buffer.get(2).reactions, [{ emoji: "🎉" }]);
    rs.msgs.set(3, msg(3));
    assert.deepEqual(setReactions(rs, 3, null).reactions, []);
  });

  test("the last message to edit is this person's newest not deleted", () => {
    const rs = newRoomState();
    rs.msgs.set(1, msg(1, { author: { id: 1 } }));
    rs.msgs.set(2, msg(2, { author: { id: 1 }, deleted: true }));
    rs.msgs.set(3, msg(3));
    assert.equal(latestOwn(rs, 1).id, 1);
    assert.equal(latestOwn(rs, 2), null);
  });
});

describe("subscriptions", () => {
  test("a room never loaded subscribes blind, without a cursor", () => {
    assert.deepEqual(subscribeFrame(newRoomState(), 4, "2026-01-01T00:00:00Z"), { type: "subscribe", room: 4, ref: "sub:4" });
  });

  test("a loaded room resumes after its newest message, with the changes since", () => {
    const rs = newRoomState();
    applyLatest(rs, {}, [msg(8)]);
    assert.deepEqual(subscribeFrame(rs, 4, "T"), { type: "subscribe", room: 4, ref: "sub:4", after: 8, changes_since: "T" });
  });

  test("a loaded empty room resumes from 0", () => {
    const rs = newRoomState();
    applyLatest(rs, {}, []);
    assert.equal(subscribeFrame(rs, 4).after, 0);
  });

  test("the server's newest id becomes the cursor only before the history is loaded", () => {
    const rs = newRoomState();
    noteSubscribed(rs, 12);
    assert.equal(rs.maxSeen, 12);
    const loaded = newRoomState();
    applyLatest(loaded, {}, [msg(3)]);
    noteSubscribed(loaded, 12);
    assert.equal(loaded.maxSeen, 3);
  });
});
