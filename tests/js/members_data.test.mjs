// A channel's members as data: order, who may add and remove whom, search results, keyboard
// moves, and the words for presence, archiving, removal and the tab's title.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  archivedText,
  canAddPeople,
  canRemove,
  countLabel,
  firstAddable,
  moveActive,
  ownPresence,
  pageTitle,
  presenceLabel,
  removedText,
  roleLabel,
  searchResults,
  sortMembers,
} from "../../static/js/chat/members_data.js";

const ME = { id: 1, is_admin: false };
const member = (id, role, name = `P${id}`) => ({ user: { id, name }, role, handle: `p${id}` });

describe("sortMembers", () => {
  test("owners, then admins, then members, by name within each", () => {
    const sorted = sortMembers([member(4, "member", "Zed"), member(2, "admin", "Bo"), member(3, "member", "Al"), member(5, "owner", "Yu")]);
    assert.deepEqual(
      sorted.map((m) => m.user.id),
      [5, 2, 3, 4],
    );
  });
});

describe("canAddPeople", () => {
  test("a private channel takes its owners and admins, or the workspace's", () => {
    assert.equal(canAddPeople({ kind: "private", role: "member" }, ME, true), false);
    assert.equal(canAddPeople({ kind: "private", role: "admin" }, ME, true), true);
    assert.equal(canAddPeople({ kind: "private", role: null }, { ...ME, is_admin: true }, false), true);
  });

  test("a public channel takes any member; never a DM or an archived channel", () => {
    assert.equal(canAddPeople({ kind: "public", role: "member" }, ME, true), true);
    assert.equal(canAddPeople({ kind: "public", role: null }, ME, false), false);
    assert.equal(canAddPeople({ kind: "direct", role: "owner" }, ME, true), false);
    assert.equal(canAddPeople({ kind: "private", role: "owner", archived: true }, ME, true), false);
  });
});

describe("canRemove", () => {
  const room = { kind: "private", role: "owner" };

  test("managers remove members, never themselves, and the last owner stays", () => {
    const owners = [member(1, "owner"), member(2, "member")];
    assert.equal(canRemove(room, ME, owners[1], owners), true);
    assert.equal(canRemove(room, ME, owners[0], owners), false);
    const other = member(3, "owner");
    assert.equal(canRemove(room, ME, other, [other, member(2, "member")]), false);
    assert.equal(canRemove(room, ME, other, [other, member(1, "owner")]), true);
  });

  test("an admin removes members but not owners; a plain member nobody", () => {
    const list = [member(3, "owner"), member(4, "owner"), member(5, "member")];
    assert.equal(canRemove({ kind: "private", role: "admin" }, ME, list[2], list), true);
    assert.equal(canRemove({ kind: "private", role: "admin" }, ME, list[0], list), false);
    assert.equal(canRemove({ kind: "private", role: "member" }, ME, list[2], list), false);
    assert.equal(canRemove({ kind: "direct", role: "owner" }, ME, list[2], list), false);
  });
});

describe("search results and the keyboard", () => {
  const found = searchResults(
    [
      { id: 7, name: "Ann", handle: "ann" },
      { id: 8, name: "", handle: "bob" },
      { id: 9, name: "Cy", handle: "cy" },
    ],
    new Set([7]),
  );

  test("people already in the channel are marked, and nameless people go by handle", () => {
    assert.deepEqual(
      found.map((p) => [p.id, p.name, p.inRoom]),
      [
        [7, "Ann", true],
        [8, "bob", false],
        [9, "Cy", false],
      ],
    );
  });

  test("the arrows skip people already in and wrap around", () => {
    assert.equal(firstAddable(found), 1);
    assert.equal(moveActive(found, 1, 1), 2);
    assert.equal(moveActive(found, 2, 1), 1);
    assert.equal(moveActive(found, 1, -1), 2);
    assert.equal(moveActive([{ inRoom: true }], 0, 1), -1);
  });

  test("at most `limit` people", () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `N${i}` }));
    assert.equal(searchResults(many, new Set()).length, 8);
  });
});

describe("own presence", () => {
  test("while the socket is not open the person is never shown online", () => {
    assert.equal(ownPresence("open", "active"), "online");
    assert.equal(ownPresence("open", "idle"), "idle");
    assert.equal(ownPresence("connecting", "active"), "connecting");
    assert.equal(ownPresence("offline", "active"), "offline");
    assert.equal(ownPresence("waiting", "active"), "offline");
    assert.equal(ownPresence("idle", "active"), "offline");
  });

  test("every status has words", () => {
    assert.equal(presenceLabel("online"), "Online");
    assert.equal(presenceLabel("idle"), "Away");
    assert.equal(presenceLabel("connecting"), "Connecting…");
    assert.equal(presenceLabel(undefined), "Offline");
  });
});

describe("words", () => {
  const format = (iso) => `[${iso}]`;

  test("the archived notice says who and when as far as known", () => {
    const base = "This channel is archived: its history stays, nobody can post.";
    assert.equal(archivedText({}, format), base);
    assert.equal(archivedText({ archived_at: "T" }, format), `${base} Archived on [T].`);
    assert.equal(archivedText({ archived_at: "T", archived_by: { name: "Ann" } }, format), `${base} Archived by Ann on [T].`);
  });

  test("removal names who did it when known", () => {
    assert.match(removedText("#x", { name: "Ann" }).text, /^Ann removed you\./);
    assert.equal(removedText("#x", null).title, "You were removed from #x");
  });

  test("counts, roles and the tab's title", () => {
    assert.equal(countLabel(1), "1 member");
    assert.equal(countLabel(3), "3 members");
    assert.equal(roleLabel("owner"), "Owner");
    assert.equal(roleLabel("member"), "");
    assert.equal(pageTitle("#plans", "Acme"), "#plans · Acme");
    assert.equal(pageTitle("", "Acme"), "Acme");
  });
});
