// The small pure helpers: payload shapes, room names, typing lines, message permissions, and the
// page's state object.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createChat, findMessage, inOpenThread, notePeople, roomOf, roomState } from "../../static/js/chat/chat_data.js";
import { canEdit, editedBody, lengthNote, reactionChange } from "../../static/js/chat/message_data.js";
import { hasCursor, idOf, qs, results } from "../../static/js/chat/payload.js";
import { dmPeople, roomLabel, roomTitle } from "../../static/js/chat/rooms.js";
import { TYPING_SHOWN_MS, noteTyping, typingNames, typingText } from "../../static/js/chat/typing_data.js";

describe("payloads", () => {
  test("lists are found in a bare array, a page or a named key", () => {
    assert.deepEqual(results([1]), [1]);
    assert.deepEqual(results({ results: [2] }), [2]);
    assert.deepEqual(results({ members: [3] }), [3]);
    assert.deepEqual(results(null), []);
  });

  test("ids are read from a number or an object, cursors from null or a value", () => {
    assert.equal(idOf({ id: "4" }), 4);
    assert.equal(idOf("5"), 5);
    assert.equal(idOf(undefined), null);
    assert.equal(hasCursor(0), true);
    assert.equal(hasCursor(null), false);
    assert.equal(qs({ a: "", b: null, c: 0 }), "?c=0");
    assert.equal(qs({}), "");
  });
});

describe("room names", () => {
  const dm = { kind: "direct", name: "x", others: [{ id: 1, name: "Me" }, { id: 2, email: "bo@x.test" }, 3] };

  test("a direct message is named by the other people, never by oneself", () => {
    assert.deepEqual(dmPeople(dm, 1), [
      { id: 2, name: "bo@x.test" },
      { id: 3, name: "#3" },
    ]);
    assert.equal(roomTitle(dm, 1), "bo@x.test, #3");
    assert.equal(roomLabel(dm, 1), "bo@x.test, #3");
  });

  test("a channel is named with its hash, and a DM with nobody else by its name", () => {
    assert.equal(roomLabel({ kind: "public", name: "general" }, 1), "#general");
    assert.equal(roomTitle({ kind: "direct", name: "notes", others: [{ id: 1, name: "Me" }] }, 1), "notes");
    assert.equal(roomTitle(null, 1), "");
  });
});

describe("typing", () => {
  test("a person is shown typing for a while, then leaves the line", () => {
    const typing = new Map();
    noteTyping(typing, 2, "Ann", 1000);
    noteTyping(typing, 3, "Bob", 5000);
    assert.deepEqual(typingNames(typing, 1000 + TYPING_SHOWN_MS), ["Ann", "Bob"]);
    assert.deepEqual(typingNames(typing, 1001 + TYPING_SHOWN_MS), ["Bob"]);
    assert.equal(typing.has(2), false);
  });

  test("the line names one or two people, and counts no further", () => {
    assert.equal(typingText([]), "");
    assert.equal(typingText(["Ann"]), "Ann is typing…");
    assert.equal(typingText(["Ann", "Bob"]), "Ann and Bob are typing…");
    assert.equal(typingText(["Ann", "Bob", "Cy"]), "Several people are typing…");
  });
});

describe("message actions", () => {
  test("a reaction of one's own is removed, any other added", () => {
    const msg = { reactions: [{ emoji: "👍", users: [1] }, { emoji: "🎉", users: [2] }] };
    assert.deepEqual(reactionChange(msg, "👍", 1), { mine: true, type: "reaction.remove" });
    assert.deepEqual(reactionChange(msg, "🎉", 1), { mine: false, type: "reaction.add" });
    assert.deepEqual(reactionChange({}, "👀", 1), { mine: false, type: "reaction.add" });
  });

  test("only the author edits a message not deleted, and an empty edit saves nothing", () => {
    assert.equal(canEdit({ author: { id: 1 } }, 1), true);
    assert.equal(canEdit({ author: { id: 1 }, deleted: true }, 1), false);
    assert.equal(canEdit({ author: { id: 2 } }, 1), false);
    assert.equal(canEdit({ author: null }, 1), false);
    assert.equal(editedBody("  new  "), "new");
    assert.equal(editedBody("   "), null);
  });
});

describe("the page's state", () => {
  const me = { id: 1, name: "Me" };

  test("a previewed public room is found beside the sidebar's rooms", () => {
    const app = createChat(me);
    app.rooms.set(2, { id: 2 });
    app.previewRoom = { id: 3 };
    assert.equal(roomOf(app, 2).id, 2);
    assert.equal(roomOf(app, 3).id, 3);
    assert.equal(roomOf(app, 4), null);
  });

  test("a message is looked up in the thread when asked, else in the timeline first", () => {
    const app = createChat(me);
    app.current = 2;
    roomState(app, 2).msgs.set(5, { id: 5, where: "timeline" });
    app.thread = { root: 5, msgs: new Map([[5, { id: 5, where: "thread" }], [6, { id: 6, thread: 5 }]]) };
    assert.equal(findMessage(app, 5, true).where, "thread");
    assert.equal(findMessage(app, 5, false).where, "timeline");
    assert.equal(findMessage(app, 6, false).id, 6);
    assert.equal(inOpenThread(app, { id: 6, thread: 5 }), true);
    assert.equal(inOpenThread(app, { id: 7 }), false);
  });

  test("authors of messages become known people, oneself from the start", () => {
    const app = createChat(me);
    notePeople(app, [{ author: { id: 2, name: "Ann" } }, { author: null }]);
    assert.deepEqual([...app.people.keys()], [1, 2]);
  });
});

describe("the composer's length note", () => {
  test("says nothing far from the limit, counts down near it, and flags what is over", () => {
    assert.equal(lengthNote(10, 10000), null);
    assert.equal(lengthNote(9499, 10000), null);
    assert.deepEqual(lengthNote(9500, 10000), { text: "500 characters left", over: false });
    assert.deepEqual(lengthNote(9999, 10000), { text: "1 character left", over: false });
    assert.deepEqual(lengthNote(10000, 10000), { text: "0 characters left", over: false });
    assert.deepEqual(lengthNote(11234, 10000), { text: "1,234 characters over the limit", over: true });
    assert.equal(lengthNote(50, 0), null);
  });
});
