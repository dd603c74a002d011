// The emoji set as data: the index the picker and the `:shortcode:` completion search, the
// picker's sections and keyboard moves, and the recently used list. Pure; emoji_picker.js and
// emoji_complete.js act on it. The index is made by `make vendor` from emojibase-data
// (config/vendor/build.py), the same file the server checks reactions against (chat/emoji.py).

export const RECENT_MAX = 24;
// Offered first until the person has used emoji of their own.
export const DEFAULT_RECENT = ["👍", "❤️", "😂", "🎉", "😮", "😢", "👀", "✅"];
export const COLUMNS = 8;
// Skin tones: none (the yellow default), then Fitzpatrick types 1-2 to 6, as the modifiers
// U+1F3FB to U+1F3FF that follow a person or a hand.
export const TONES = ["", "\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];
export const TONE_NAMES = ["Default", "Light", "Medium-light", "Medium", "Medium-dark", "Dark"];
const TONE_MODIFIERS = /[\u{1F3FB}-\u{1F3FF}]/gu;

// `:smi` right before the caret: the colon not glued to a word ("10:30" is no shortcode).
const TYPING_SHORTCODE = /(?<!\w):([a-z0-9_+-]{2,40})$/i;
// `:smile:` just completed before the caret.
const TYPED_SHORTCODE = /(?<!\w):([a-z0-9_+-]{1,40}):$/;

/** The index from the JSON `{groups, emoji: [[emoji, name, group, [shortcode], [tag], [skin]]]}`. */
export function buildIndex(raw) {
  const groups = (raw.groups || []).map((name, id) => ({ id, name })).filter((group) => group.name);
  const list = (raw.emoji || []).map(([emoji, name, group, shortcodes, tags, skins], order) => ({
    emoji,
    name,
    group,
    shortcodes: shortcodes || [],
    tags: tags || [],
    skins: skins || [],
    words: name.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean),
    order,
  }));
  const byShortcode = new Map();
  const byEmoji = new Map();
  for (const entry of list) {
    byEmoji.set(entry.emoji, entry);
    for (const skin of entry.skins) byEmoji.set(skin, entry); // a recent 👍🏽 is the 👍 entry
    for (const code of entry.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, entry);
  }
  return { groups, list, byShortcode, byEmoji };
}

/** How well one word of a search matches an entry: lower is better, null is no match. */
function wordScore(entry, word) {
  if (entry.shortcodes.includes(word) || entry.name === word) return 0;
  if (entry.shortcodes.some((code) => code.startsWith(word))) return 1;
  if (entry.words.some((w) => w.startsWith(word))) return 2;
  if (entry.tags.some((tag) => tag.startsWith(word))) return 3;
  if (entry.name.includes(word) || entry.shortcodes.some((code) => code.includes(word))) return 4;
  return null;
}

/** Entries matching every word of `query` (in the name, a shortcode or a tag), best first. */
export function searchEmoji(index, query, limit = 96) {
  const words = query.toLowerCase().replace(/^:|:$/g, "").split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const found = [];
  for (const entry of index.list) {
    let score = 0;
    for (const word of words) {
      const s = wordScore(entry, word);
      if (s === null) {
        score = null;
        break;
      }
      score += s;
    }
    if (score !== null) found.push({ entry, score });
  }
  found.sort((a, b) => a.score - b.score || a.entry.order - b.entry.order);
  return found.slice(0, limit).map((hit) => hit.entry);
}

/** The shortcode of `entry` that best fits what was typed (the first one otherwise). */
export function shortcodeFor(entry, typed = "") {
  const q = typed.toLowerCase();
  const find = (test) => entry.shortcodes.find(test);
  return find((code) => code === q) || find((code) => code.startsWith(q)) || find((code) => code.includes(q)) || entry.shortcodes[0] || "";
}

/** Suggestions for a shortcode being typed: those starting with it first, then containing it. */
export function suggestShortcodes(index, typed, limit = 8) {
  const q = typed.toLowerCase();
  const starts = [];
  const contains = [];
  for (const entry of index.list) {
    if (entry.shortcodes.some((code) => code.startsWith(q))) starts.push(entry);
    else if (entry.shortcodes.some((code) => code.includes(q))) contains.push(entry);
  }
  const exact = (entry) => (entry.shortcodes.includes(q) ? 0 : 1);
  starts.sort((a, b) => exact(a) - exact(b) || shortcodeFor(a, q).length - shortcodeFor(b, q).length || a.order - b.order);
  return [...starts, ...contains].slice(0, limit);
}

/** `{start, query}` when the text before the caret ends with `:` and 2+ shortcode characters. */
export function shortcodeBefore(text, caret) {
  const match = text.slice(0, caret).match(TYPING_SHORTCODE);
  return match ? { start: caret - match[0].length, query: match[1] } : null;
}

/** The text with a known `:shortcode:` just typed before the caret turned into its emoji, or null. */
export function convertTyped(index, text, caret) {
  const match = text.slice(0, caret).match(TYPED_SHORTCODE);
  if (!match || /\w/.test(text.charAt(caret))) return null;
  const entry = index.byShortcode.get(match[1].toLowerCase());
  if (!entry) return null;
  return replaceRange(text, caret - match[0].length, caret, entry.emoji);
}

/** `text` with [start, end) replaced by `insert`, and the caret after it. */
export function replaceRange(text, start, end, insert) {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}

/** The entry's emoji in skin tone `tone` (0: the default), when the set has it in that tone
 * alone (two people of two tones are not offered: the default stays). */
export function toned(entry, tone) {
  if (!tone || !entry.skins.length) return entry.emoji;
  const wanted = TONES[tone];
  const alone = (skin) => {
    const modifiers = skin.match(TONE_MODIFIERS) || [];
    return modifiers.length > 0 && modifiers.every((m) => m === wanted);
  };
  return entry.skins.find(alone) || entry.emoji;
}

/** The tone stored: a number 0-5, anything else the default. */
export function readTone(stored) {
  const tone = Number(stored);
  return Number.isInteger(tone) && tone >= 0 && tone < TONES.length ? tone : 0;
}

/** The recently used list after using `emoji`: it moves to the front, the oldest drops off. */
export function pushRecent(recent, emoji, max = RECENT_MAX) {
  return [emoji, ...(recent || []).filter((e) => e !== emoji)].slice(0, max);
}

/** Recently used emoji from what was stored: a list of strings, anything else ignored. */
export function readRecent(stored) {
  try {
    const list = JSON.parse(stored || "[]");
    return Array.isArray(list) ? list.filter((e) => typeof e === "string" && e.length <= 32).slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** The picker's sections: recently used first (the defaults until there are some), then each group. */
export function pickerSections(index, recent) {
  const used = (recent && recent.length ? recent : DEFAULT_RECENT).map((e) => index.byEmoji.get(e)).filter(Boolean);
  const sections = used.length ? [{ id: "recent", name: "Recently used", items: used }] : [];
  for (const group of index.groups) {
    const items = index.list.filter((entry) => entry.group === group.id);
    if (items.length) sections.push({ id: `group-${group.id}`, name: group.name, items });
  }
  return sections;
}

/**
 * The cell an arrow key moves to in a grid of sections of `sizes[i]` cells, `columns` a row:
 * Left/Right step through every cell, Up/Down go a row, across sections keeping the column.
 * `pos` is `{section, index}`; the answer too (the same when there is nowhere to go).
 */
export function gridMove(sizes, pos, key, columns = COLUMNS) {
  const { section, index } = pos;
  if (key === "ArrowRight") {
    if (index + 1 < sizes[section]) return { section, index: index + 1 };
    const next = sizes.findIndex((size, i) => i > section && size > 0);
    return next < 0 ? pos : { section: next, index: 0 };
  }
  if (key === "ArrowLeft") {
    if (index > 0) return { section, index: index - 1 };
    for (let i = section - 1; i >= 0; i -= 1) if (sizes[i]) return { section: i, index: sizes[i] - 1 };
    return pos;
  }
  const column = index % columns;
  if (key === "ArrowDown") {
    if (index + columns < sizes[section]) return { section, index: index + columns };
    // the last row of a section may be short: from a row above it, land on its last cell
    const lastRowStart = sizes[section] - ((sizes[section] - 1) % columns) - 1;
    if (index < lastRowStart) return { section, index: sizes[section] - 1 };
    for (let i = section + 1; i < sizes.length; i += 1) if (sizes[i]) return { section: i, index: Math.min(column, sizes[i] - 1) };
    return pos;
  }
  if (key === "ArrowUp") {
    if (index >= columns) return { section, index: index - columns };
    for (let i = section - 1; i >= 0; i -= 1) {
      if (!sizes[i]) continue;
      const lastRowStart = sizes[i] - ((sizes[i] - 1) % columns) - 1;
      return { section: i, index: Math.min(lastRowStart + column, sizes[i] - 1) };
    }
    return pos;
  }
  return pos;
}
