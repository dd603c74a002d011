// Which live messages alert the person, what the alert and the tab's title say, and the
// not-in-room notice under the composer.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { addedNotice, namesList, notInRoomNotice, outsidersOf } from "../../static/js/chat/mentions_data.js";
import { FRESH_MS, Pending, alertFor, alertText, alertTitle, baseTitle } from "../../static/js/chat/notify_data.js";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const msg = (over = {}) => ({ id: 9, room: 3, author: { id: 2, name: "Bob" }, mentions: [1], created_at: "2026-12-06T11:59:30Z", ...over });
const at = (over = {}) => ({ meId: 1, room: { kind: "public" }, current: 5, visible: true, now: NOW, ...over });

describe("alerts", () => {
  test("a mention of me in another room alerts", () => {
    assert.deepEqual(alertFor(msg(), at()), { roomId: 3, messageId: 9, kind: "mention" });
  });

  test("the open room alerts only while the tab is hidden", () => {
    assert.equal(alertFor(msg(), at({ current: 3 })), null);
    assert.equal(alertFor(msg(), at({ current: 3, visible: false })).kind, "mention");
  });

  test("every message of someone else in a direct message counts as a mention", () => {
    assert.equal(alertFor(msg({ mentions: [] }), at({ room: { kind: "direct" } })).kind, "direct");
    assert.equal(alertFor(msg({ mentions: [] }), at()), null);
  });

  test("my own messages, deleted ones and old replays stay quiet", () => {
    assert.equal(alertFor(msg({ author: { id: 1, name: "Me" } }), at()), null);
    assert.equal(alertFor(msg({ deleted: true }), at()), null);
    const old = new Date(NOW - FRESH_MS - 1000).toISOString();
    assert.equal(alertFor(msg({ created_at: old }), at()), null);
  });

  test("the notification names the author and the room, and keeps the text short", () => {
    assert.deepEqual(alertText("mention", { author: "Bob", where: "#design", text: "look\n  here" }), {
      title: "Bob mentioned you in #design",
      body: "look here",
    });
    assert.equal(alertText("direct", { author: "Bob", where: "Bob", text: "x".repeat(500) }).body.length, 140);
    assert.equal(alertText("direct", { author: "Bob", where: "Bob", text: "hi" }).title, "Bob (direct message)");
  });
});

describe("pending alerts and the tab's title", () => {
  test("one alert per message; opening the room sees them", () => {
    const pending = new Pending();
    assert.equal(pending.add({ roomId: 3, messageId: 9 }, "#design"), true);
    assert.equal(pending.add({ roomId: 3, messageId: 9 }, "#design"), false);
    pending.add({ roomId: 4, messageId: 10 }, "#ops");
    assert.equal(pending.count, 2);
    assert.equal(pending.latestWhere, "#ops");
    assert.equal(pending.seen(4), true);
    assert.equal(pending.seen(4), false);
    assert.equal(pending.latestWhere, "#design");
  });

  test("the title carries the count and the room in front of the workspace", () => {
    assert.equal(alertTitle("Acme", 2, "#design"), "(2) #design · Acme");
    assert.equal(alertTitle("Acme", 0, "#design"), "Acme");
    assert.equal(baseTitle("(3) Acme", ""), "Acme");
    assert.equal(baseTitle("(2) #design · Acme", "#design"), "Acme");
  });
});

describe("people not in the room", () => {
  const bob = { id: 2, name: "Bob" };
  const cem = { id: 3, name: "Cem" };

  test("names read as a sentence", () => {
    assert.equal(namesList(["Bob"]), "Bob");
    assert.equal(namesList(["Bob", "Cem"]), "Bob and Cem");
    assert.equal(namesList(["Bob", "Cem", "Dee"]), "Bob, Cem and Dee");
  });

  test("only a send's ack with people is read", () => {
    assert.deepEqual(outsidersOf({ type: "ack", not_in_room: [bob, { id: "x" }] }), [bob]);
    assert.deepEqual(outsidersOf({ type: "ack" }), []);
    assert.deepEqual(outsidersOf({ type: "message.new", not_in_room: [bob] }), []);
  });

  test("the notice offers to add them, or says why it cannot", () => {
    assert.deepEqual(notInRoomNotice([bob], { where: "#design", canAdd: true }), { text: "Bob isn't in #design. Add them?", canAdd: true });
    assert.equal(notInRoomNotice([bob, cem], { where: "#design", canAdd: true }).text, "Bob and Cem aren't in #design. Add them all?");
    assert.deepEqual(notInRoomNotice([bob], { where: "#design", canAdd: false }), { text: "Bob isn't in #design, and you can't add people here.", canAdd: false });
    assert.equal(notInRoomNotice([bob], { where: "Ann", canAdd: false, direct: true }).canAdd, false);
  });

  test("after adding: who joined, and the first refusal", () => {
    assert.equal(addedNotice([bob], [], "#design"), "Added Bob to #design.");
    assert.equal(addedNotice([], [{ person: cem, reason: "Only members can invite people." }], "#design"), "Couldn't add Cem: Only members can invite people.");
  });
});
