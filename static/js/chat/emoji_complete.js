// `:shortcode:` in a composer: typing `:smi` (two characters or more after the colon) lists the
// matching emoji above the box (arrows, Tab or Enter pick, Escape closes), and a whole known
// `:smile:` typed becomes its emoji at once. The server renders shortcodes too (chat/markdown.py),
// so one that slips through (pasted, typed before the emoji loaded) still shows as the emoji.

import { convertTyped, replaceRange, shortcodeBefore, shortcodeFor, suggestShortcodes } from "./emoji_data.js";
import { emojiNow, loadEmoji, rememberEmoji } from "./emoji_store.js";
import { h } from "./util.js";

let lists = 0;

export class ShortcodeCompleter {
  /** @param input the composer's textarea; the list goes into `box` (positioned), above it. */
  constructor(input, box) {
    this.input = input;
    this.id = `emoji-suggest-${(lists += 1)}`;
    this.list = h("ul", { class: "emoji-suggest", id: this.id, role: "listbox", "aria-label": "Emoji", hidden: true });
    box.append(this.list);
    this.items = [];
    this.active = -1;
    this.typed = null;
    // The box may already point at another list (the composer's mentions): given back on close.
    this.controls = input.getAttribute("aria-controls");
    this.list.addEventListener("mousedown", (event) => {
      const item = event.target.closest("[data-index]");
      if (!item) return;
      event.preventDefault(); // the textarea keeps the focus
      this.choose(Number(item.dataset.index));
    });
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  get isOpen() {
    return !this.list.hidden;
  }

  /** After each input event: convert a shortcode just closed with `:`, else suggest. */
  update(event) {
    const caret = this.input.selectionStart;
    if (caret !== this.input.selectionEnd) return this.close();
    const closing = !!event && event.data === ":";
    const typing = shortcodeBefore(this.input.value, caret);
    if (!closing && !typing) return this.close();
    const index = emojiNow(); // the first shortcode of the page starts the emoji coming
    if (closing && index) {
      const done = convertTyped(index, this.input.value, caret);
      if (done) {
        this.apply(done);
        return this.close();
      }
    }
    if (!typing) return this.close();
    this.typed = typing;
    if (index) return this.show(index);
    // The first shortcode of the page: suggest once the emoji are here, if still wanted.
    loadEmoji()
      .then((loaded) => this.typed === typing && this.show(loaded))
      .catch(() => this.close());
    return undefined;
  }

  show(index) {
    const { query } = this.typed;
    this.items = suggestShortcodes(index, query);
    if (!this.items.length) return this.close(false);
    this.list.replaceChildren(
      ...this.items.map((entry, i) =>
        h(
          "li",
          { role: "option", id: `${this.id}-${i}`, "data-index": i, "aria-selected": "false" },
          h("span", { class: "emoji-suggest-glyph", "aria-hidden": "true" }, entry.emoji),
          h("span", {}, `:${shortcodeFor(entry, query)}:`),
        ),
      ),
    );
    this.list.hidden = false;
    this.input.setAttribute("aria-controls", this.id);
    this.input.setAttribute("aria-expanded", "true");
    this.highlight(0);
    return undefined;
  }

  highlight(i) {
    this.active = i;
    [...this.list.children].forEach((li, n) => li.setAttribute("aria-selected", n === i ? "true" : "false"));
    this.input.setAttribute("aria-activedescendant", `${this.id}-${i}`);
  }

  /** Keys while the list is open; true when the key was the list's. */
  keydown(event) {
    if (!this.isOpen || !this.items.length) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.highlight((this.active + step + this.items.length) % this.items.length);
      return true;
    }
    if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      event.preventDefault();
      this.choose(Math.max(this.active, 0));
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
      return true;
    }
    return false;
  }

  choose(i) {
    const entry = this.items[i];
    if (!entry || !this.typed) return;
    const caret = this.input.selectionStart;
    this.apply(replaceRange(this.input.value, this.typed.start, caret, entry.emoji));
    rememberEmoji(entry.emoji);
    this.close();
    this.input.focus();
  }

  /** Put the new text in the box as typing would: the composer hears an input event (drafts,
   * size, count); this completer's own `update` then finds nothing left to do. */
  apply({ text, caret }) {
    this.input.value = text;
    this.input.setSelectionRange(caret, caret);
    this.input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertReplacementText" }));
  }

  close(forget = true) {
    if (forget) this.typed = null;
    this.items = [];
    this.active = -1;
    if (this.list.hidden) return undefined;
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    if (this.controls) this.input.setAttribute("aria-controls", this.controls);
    else this.input.removeAttribute("aria-controls");
    return undefined;
  }
}

/** Insert `text` at the caret of `input` (replacing a selection), as typing would. */
export function insertAtCaret(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  const done = replaceRange(input.value, start, end, text);
  input.focus();
  input.value = done.text;
  input.setSelectionRange(done.caret, done.caret);
  input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
}
