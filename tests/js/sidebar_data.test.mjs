// The sidebar's rooms as data: merging, order, unread counts, read positions, permissions.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyRoomFields,
  canManage,
  canPost,
  clearCounts,
  countLabel,
  countsSpoken,
  mergeRoom,
  noteRead,
  presenceStatus,
  sidebarOrder,
  titleWithCount,
  unreadTotals,
} from "../../static/js/chat/sidebar_data.js";

const ME = 1;
const rooms = (...list) => new Map(list.map((r) => [r.id, r]));

describe("mergeRoom", () => {
  test("the read position never moves back when an older answer arrives", () => {
    const merged = mergeRoom({ id: 1, last_read_id: 40, unread: 0 }, { id: 1, last_read_id: 30, unread: 2 });
    assert.equal(merged.last_read_id, 40);
    assert.equal(merged.unread, 2);
  });

  test("counts missing from the payload keep what was known", () => {
    const merged = mergeRoom({ id: 1, unread: 3, mentions: 1 }, { id: 1, name: "general" });
    assert.equal(merged.unread, 3);
    assert.equal(merged.mentions, 1);
    assert.equal(merged.name, "general");
  });

  test("mentions are read under any of the names the API gives them", () => {
    assert.equal(mergeRoom({}, { id: 1, mention_count: 2 }).mentions, 2);
    assert.equal(mergeRoom({}, { id: 1, unread_mentions: 5 }).mentions, 5);
    assert.equal(mergeRoom({}, { id: 1 }).mentions, 0);
  });
});

test("a room update changes the room's own fields, not this person's counts or role", () => {
  const known = { id: 1, name: "a", unread: 4, role: "owner", members: 3 };
  applyRoomFields(known, { id: 1, name: "b", archived: true, unread: 0, role: "member", members: "many" });
  assert.deepEqual(known, { id: 1, name: "b", archived: true, unread: 4, role: "owner", members: 3 });
});

describe("sidebarOrder", () => {
  const all = rooms(
    { id: 1, kind: "public", name: "zeta" },
    { id: 2, kind: "direct", name: "dm", others: [{ id: 9, name: "Yves" }] },
    { id: 3, kind: "private", name: "alpha" },
    { id: 4, kind: "direct", name: "dm", others: [{ id: 8, name: "Ann" }, { id: ME, name: "Me" }] },
    { id: 5, kind: "public", name: "old", archived: true },
  );

  test("channels by name come first, then direct messages by the other person's name", () => {
    assert.deepEqual(sidebarOrder(all, null, ME), [3, 1, 4, 2]);
  });

  test("an archived room stays listed only while it is on screen", () => {
    assert.deepEqual(sidebarOrder(all, 5, ME), [3, 5, 1, 4, 2]);
  });
});

test("unread totals count the room on screen in the title but not in the drawer badge", () => {
  const all = rooms({ id: 1, unread: 2, mentions: 1 }, { id: 2, unread: 5, mentions: 0 });
  assert.deepEqual(unreadTotals(all, [1, 2], 2), { total: 7, elsewhere: 3 });
});

test("counts past 99 are shown as 99+, in badges and in the tab's title", () => {
  assert.equal(countLabel(100), "99+");
  assert.equal(countLabel(7), "7");
  assert.equal(titleWithCount("(3) Acme", 120), "(99+) Acme");
  assert.equal(titleWithCount("(99+) Acme", 0), "Acme");
  assert.equal(countsSpoken(2, 1), "2 unread, 1 mentions");
  assert.equal(countsSpoken(0, 0), "");
});

describe("read positions", () => {
  test("reading up to the newest message seen clears the counts", () => {
    const room = { last_read_id: 3, unread: 4, mentions: 1 };
    assert.equal(noteRead(room, 10, 10), true);
    assert.deepEqual(room, { last_read_id: 10, unread: 0, mentions: 0 });
  });

  test("reading short of the newest moves the position and leaves the counts", () => {
    const room = { last_read_id: 3, unread: 4, mentions: 0 };
    assert.equal(noteRead(room, 10, 6), false);
    assert.deepEqual(room, { last_read_id: 6, unread: 4, mentions: 0 });
  });

  test("an older read does not move the position back", () => {
    const room = { last_read_id: 8, unread: 0, mentions: 0 };
    noteRead(room, 10, 5);
    assert.equal(room.last_read_id, 8);
  });

  test("clearing counts says whether there were any", () => {
    assert.equal(clearCounts({ unread: 0, mentions: 0 }), false);
    const room = { unread: 0, mentions: 2 };
    assert.equal(clearCounts(room), true);
    assert.equal(room.mentions, 0);
  });
});

describe("permissions", () => {
  test("owners, admins of the room and workspace admins manage channels, nobody manages a DM", () => {
    assert.equal(canManage({ kind: "public", role: "owner" }, { is_admin: false }), true);
    assert.equal(canManage({ kind: "public", role: "member" }, { is_admin: false }), false);
    assert.equal(canManage({ kind: "public", role: "member" }, { is_admin: true }), true);
    assert.equal(canManage({ kind: "direct", role: "owner" }, { is_admin: true }), false);
    assert.equal(canManage(null, { is_admin: true }), false);
  });

  test("posting needs a room of the sidebar that is not archived", () => {
    const all = rooms({ id: 1 }, { id: 2, archived: true });
    assert.equal(canPost(all, 1), true);
    assert.equal(canPost(all, 2), false);
    assert.equal(canPost(all, 3), false);
  });
});

test("the server's active status shows as online", () => {
  assert.equal(presenceStatus("active"), "online");
  assert.equal(presenceStatus("idle"), "idle");
});
