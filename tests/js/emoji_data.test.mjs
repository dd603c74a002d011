// The emoji picker's and the `:shortcode:` completion's logic: search, suggestions, conversion of
// a typed shortcode, recently used, sections and keyboard moves in the grid.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  DEFAULT_RECENT,
  RECENT_MAX,
  TONES,
  TONE_NAMES,
  buildIndex,
  convertTyped,
  gridMove,
  pickerSections,
  pushRecent,
  readRecent,
  readTone,
  searchEmoji,
  shortcodeBefore,
  shortcodeFor,
  suggestShortcodes,
  toned,
} from "../../static/js/chat/emoji_data.js";

// The index `make vendor` writes (config/vendor/build.py), as the page loads it.
const real = buildIndex(JSON.parse(readFileSync(new URL("../../static/vendor/emojibase-data/picker.json", import.meta.url), "utf8")));

const small = buildIndex({
  groups: ["Smileys", "People", null],
  emoji: [
    ["😄", "grinning face with smiling eyes", 0, ["smile"], ["happy", "joy"], []],
    ["😏", "smirking face", 0, ["smirk"], ["smug"], []],
    ["👍", "thumbs up", 1, ["+1", "thumbsup"], ["yes"], ["👍🏻"]],
    ["👋", "waving hand", 1, ["wave"], ["hello"], []],
  ],
});
const emojis = (entries) => entries.map((entry) => entry.emoji);

describe("search", () => {
  test("finds by shortcode, name and tag, the exact shortcode first", () => {
    assert.deepEqual(emojis(searchEmoji(small, "smi")), ["😄", "😏"]);
    assert.deepEqual(emojis(searchEmoji(small, "smirk")), ["😏"]);
    assert.deepEqual(emojis(searchEmoji(small, "hello")), ["👋"]);
    assert.deepEqual(emojis(searchEmoji(small, "thumbs UP")), ["👍"]);
    assert.deepEqual(emojis(searchEmoji(small, ":+1:")), ["👍"]);
    assert.deepEqual(searchEmoji(small, "  "), []);
    assert.deepEqual(searchEmoji(small, "zebra"), []);
  });

  test("in the whole set, tada is the party popper and heart finds the red heart", () => {
    assert.equal(searchEmoji(real, "tada")[0].emoji, "🎉");
    assert.equal(searchEmoji(real, "thumbsup")[0].emoji, "👍");
    assert.ok(emojis(searchEmoji(real, "heart").slice(0, 5)).includes("❤️"));
    assert.ok(real.list.length > 1800);
  });
});

describe("shortcodes", () => {
  test("a shortcode is being typed after a colon and two characters, not inside a word", () => {
    assert.deepEqual(shortcodeBefore("hi :sm", 6), { start: 3, query: "sm" });
    assert.deepEqual(shortcodeBefore(":+1", 3), { start: 0, query: "+1" });
    assert.equal(shortcodeBefore("hi :s", 5), null);
    assert.equal(shortcodeBefore("at 10:30", 8), null);
    assert.equal(shortcodeBefore("hi :smile: ", 11), null);
    assert.deepEqual(shortcodeBefore("a :wav and more", 6), { start: 2, query: "wav" });
  });

  test("suggestions start with what was typed, then contain it", () => {
    assert.deepEqual(emojis(suggestShortcodes(small, "sm")), ["😄", "😏"]);
    assert.deepEqual(emojis(suggestShortcodes(small, "up")), ["👍"]);
    assert.equal(shortcodeFor(small.byEmoji.get("👍"), "thu"), "thumbsup");
    assert.equal(shortcodeFor(small.byEmoji.get("👍")), "+1");
    assert.equal(shortcodeFor(small.byEmoji.get("👍"), "bsu"), "thumbsup");
    assert.equal(suggestShortcodes(real, "thumbsu")[0].emoji, "👍");
    assert.equal(suggestShortcodes(real, "tad")[0].emoji, "🎉");
  });

  test("a known shortcode completed before the caret becomes its emoji", () => {
    assert.deepEqual(convertTyped(small, "nice :smile:", 12), { text: "nice 😄", caret: 7 });
    assert.deepEqual(convertTyped(small, ":+1: later", 4), { text: "👍 later", caret: 2 });
    assert.deepEqual(convertTyped(real, "ok :thumbsup:", 13), { text: "ok 👍", caret: 5 });
  });

  test("unknown shortcodes, times and colons inside words stay as typed", () => {
    assert.equal(convertTyped(small, "a :nope:", 8), null);
    assert.equal(convertTyped(small, "at 10:30:", 9), null);
    assert.equal(convertTyped(small, "x:smile:", 8), null);
    assert.equal(convertTyped(small, ":smile:s", 7), null);
  });
});

describe("recently used", () => {
  test("the used emoji moves to the front, and the list keeps its length", () => {
    assert.deepEqual(pushRecent(["👍", "😄"], "😄"), ["😄", "👍"]);
    const full = Array.from({ length: RECENT_MAX }, (_, i) => String(i));
    assert.equal(pushRecent(full, "x").length, RECENT_MAX);
    assert.equal(pushRecent(full, "x")[0], "x");
  });

  test("what was stored is read safely", () => {
    assert.deepEqual(readRecent('["👍", 3, null, "😄"]'), ["👍", "😄"]);
    assert.deepEqual(readRecent("not json"), []);
    assert.deepEqual(readRecent('{"a": 1}'), []);
    assert.deepEqual(readRecent(null), []);
  });

  test("sections: recently used first (defaults at first), then each group with emoji", () => {
    const sections = pickerSections(small, []);
    assert.deepEqual(
      sections.map((s) => [s.name, emojis(s.items)]),
      [
        ["Recently used", ["👍"]],
        ["Smileys", ["😄", "😏"]],
        ["People", ["👍", "👋"]],
      ],
    );
    assert.deepEqual(emojis(pickerSections(small, ["👋", "🦄"])[0].items), ["👋"]);
    assert.ok(DEFAULT_RECENT.every((e) => real.byEmoji.has(e)), "every default is in the set");
  });
});

describe("moving in the grid", () => {
  const sizes = [3, 10, 0, 4]; // 8 a row: section 1 has a short second row
  const move = (section, index, key) => gridMove(sizes, { section, index }, key, 8);

  test("left and right step through every cell, across sections, and stop at the ends", () => {
    assert.deepEqual(move(0, 2, "ArrowRight"), { section: 1, index: 0 });
    assert.deepEqual(move(1, 9, "ArrowRight"), { section: 3, index: 0 });
    assert.deepEqual(move(3, 0, "ArrowLeft"), { section: 1, index: 9 });
    assert.deepEqual(move(0, 0, "ArrowLeft"), { section: 0, index: 0 });
    assert.deepEqual(move(3, 3, "ArrowRight"), { section: 3, index: 3 });
  });

  test("up and down go a row, keep the column across sections and land inside short rows", () => {
    assert.deepEqual(move(1, 1, "ArrowDown"), { section: 1, index: 9 });
    assert.deepEqual(move(1, 5, "ArrowDown"), { section: 1, index: 9 });
    assert.deepEqual(move(1, 9, "ArrowDown"), { section: 3, index: 1 });
    assert.deepEqual(move(0, 2, "ArrowDown"), { section: 1, index: 2 });
    assert.deepEqual(move(1, 2, "ArrowUp"), { section: 0, index: 2 });
    assert.deepEqual(move(1, 7, "ArrowUp"), { section: 0, index: 2 });
    assert.deepEqual(move(3, 1, "ArrowUp"), { section: 1, index: 9 });
    assert.deepEqual(move(3, 0, "ArrowUp"), { section: 1, index: 8 });
    assert.deepEqual(move(0, 1, "ArrowUp"), { section: 0, index: 1 });
  });
});

describe("skin tones", () => {
  test("an emoji with tones shows the chosen one; others, and mixed pairs, stay as they are", () => {
    const thumbs = small.byEmoji.get("👍");
    assert.equal(toned(thumbs, 0), "👍");
    assert.equal(toned(thumbs, 1), "👍🏻");
    assert.equal(toned(thumbs, 3), "👍"); // not in the small set: the default
    assert.equal(toned(small.byEmoji.get("😄"), 5), "😄");
    assert.equal(small.byEmoji.get("👍🏻"), thumbs, "a toned emoji is found as its entry");
    const handshake = real.list.find((entry) => entry.name === "handshake");
    assert.equal(toned(handshake, 5), "🤝🏿");
    const couple = real.list.find((entry) => entry.name === "people holding hands");
    assert.equal(toned(couple, 2), "🧑🏼‍🤝‍🧑🏼");
    assert.equal(TONES.length, TONE_NAMES.length);
  });

  test("the stored tone is read safely", () => {
    assert.equal(readTone("3"), 3);
    assert.equal(readTone(null), 0);
    assert.equal(readTone("9"), 0);
    assert.equal(readTone("dark"), 0);
  });
});
