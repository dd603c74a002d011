// Search hits as data, whatever shape the server gives them.

import assert from "node:assert/strict";
import { test } from "node:test";

import { describeHit, isDocumentHit, searchPath, searchSummary } from "../../static/js/chat/search_data.js";

const rooms = new Map([[3, { id: 3, kind: "public", name: "general" }]]);

test("the search path is scoped to a room only when one is given", () => {
  assert.equal(searchPath("road map", 3), "/api/search/?q=road+map&room=3");
  assert.equal(searchPath("road map", undefined), "/api/search/?q=road+map");
  assert.equal(searchPath("x", null), "/api/search/?q=x");
});

test("the summary counts the hits, with a + when the server has another page", () => {
  assert.equal(searchSummary([{}], {}, "q"), "1 result for “q”");
  assert.equal(searchSummary([{}, {}], { next: "/api/search/?cursor=x" }, "q"), "2+ results for “q”");
  assert.equal(searchSummary([], { next: null }, "q"), "Nothing found for “q”.");
});

test("a message hit names its room as the sidebar does, and its author", () => {
  const hit = describeHit({ id: 9, room: 3, author: { name: "Ann" }, snippet: "<mark>road</mark>", created_at: "2026-01-02T00:00:00Z" }, rooms, 1);
  assert.deepEqual(hit, {
    roomId: 3,
    messageId: 9,
    kind: "message",
    roomName: "#general",
    heading: "Ann",
    snippet: "<mark>road</mark>",
    text: "",
    createdAt: "2026-01-02T00:00:00Z",
  });
});

test("a hit wrapping its message, in a room not in the sidebar, uses the hit's room name", () => {
  const hit = describeHit({ kind: "message", room: { id: 4, name: "secret" }, message: { id: 2, body: "plain" } }, rooms, 1);
  assert.equal(hit.roomId, 4);
  assert.equal(hit.messageId, 2);
  assert.equal(hit.roomName, "#secret");
  assert.equal(hit.text, "plain");
  assert.equal(describeHit({ id: 2, room: 5 }, rooms, 1).roomName, "a channel");
});

test("a document without its card is headed by its title", () => {
  assert.equal(describeHit({ type: "document", title: "Plan.pdf", room: 3 }, rooms, 1).heading, "📄 Plan.pdf");
  assert.equal(isDocumentHit({ type: "document", document: { id: 1 } }), true);
  assert.equal(isDocumentHit({ type: "document" }), false);
});
