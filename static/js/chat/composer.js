// The message box: Enter sends, Shift+Enter breaks the line, `@` suggests people, `:` suggests
// emoji (emoji_complete.js) and its emoji button opens the picker, a Preview tab renders the
// Markdown on the server (the same renderer that will render the message).

import { get, post, qs } from "./api.js";
import { ShortcodeCompleter } from "./emoji_complete.js";
import { bindEmojiButton } from "./emoji_picker.js";
import { lengthNote } from "./message_data.js";
import { debounce, h, results } from "./util.js";

const MENTION_BEFORE_CARET = /(^|[^\w@/])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/;
const TYPING_EVERY_MS = 3000;

export function handleOf(person) {
  if (person.handle) return person.handle;
  if (person.username) return person.username;
  if (person.email) return person.email.split("@")[0];
  return (person.name || "").replace(/\s+/g, ".").toLowerCase();
}

export class Composer {
  /**
   * @param form the <form>; its textarea is `.composer-input`
   * @param opts {onSend(body), onTyping(), onEditLast(), roomId(): id|null, mentions: bool,
   *   hasAttachments(): bool (a message of attachments alone may go), canSend(): bool,
   *   maxLength: the server's limit on a message (a count shows near it, and nothing over it goes)}
   */
  constructor(form, opts) {
    this.form = form;
    this.opts = opts;
    this.input = form.querySelector(".composer-input");
    this.preview = form.querySelector(".md-preview");
    this.previewToggle = form.querySelector("#preview-toggle");
    this.list = form.querySelector(".mention-list");
    this.count = form.querySelector(".composer-count");
    this.lastTyping = 0;
    this.suggestions = [];
    this.active = -1;
    this.mentionQuery = null;
    this.lookup = debounce((q) => this.fetchPeople(q), 120);
    this.emoji = new ShortcodeCompleter(this.input, this.input.closest(".composer-box") || form);
    const emojiButton = form.querySelector(".emoji-open-btn");
    if (emojiButton) bindEmojiButton(emojiButton, this.input);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => this.keydown(event));
    this.input.addEventListener("input", (event) => {
      this.autosize();
      this.showLength();
      this.detectMention();
      this.emoji.update(event);
      if (this.input.value.trim() && Date.now() - this.lastTyping > TYPING_EVERY_MS) {
        this.lastTyping = Date.now();
        this.opts.onTyping && this.opts.onTyping();
      }
      this.opts.onDraft && this.opts.onDraft(this.input.value);
    });
    this.input.addEventListener("blur", () => setTimeout(() => this.closeMentions(), 150));
    if (this.previewToggle) this.previewToggle.addEventListener("click", () => this.togglePreview());
    if (this.list) {
      this.list.addEventListener("mousedown", (event) => {
        const item = event.target.closest("[data-index]");
        if (!item) return;
        event.preventDefault();
        this.choose(Number(item.dataset.index));
      });
    }
  }

  get value() {
    return this.input.value;
  }

  set value(text) {
    this.input.value = text;
    this.autosize();
  }

  focus() {
    this.input.focus();
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 240)}px`;
  }

  /** The count near the server's limit; over it, the box says so and nothing is sent. */
  showLength() {
    const note = lengthNote(this.input.value.trim().length, this.opts.maxLength);
    if (this.count) {
      this.count.hidden = !note;
      this.count.textContent = note ? note.text : "";
      this.count.classList.toggle("is-over", !!(note && note.over));
    }
    this.input.toggleAttribute("aria-invalid", !!(note && note.over));
    return !(note && note.over);
  }

  submit() {
    const body = this.input.value.trim();
    if (!body && !(this.opts.hasAttachments && this.opts.hasAttachments())) return;
    if (!this.showLength()) {
      this.input.focus();
      return;
    }
    if (this.opts.canSend && !this.opts.canSend()) return;
    this.opts.onSend(body);
    this.input.value = "";
    this.showLength();
    // A people lookup still on its way must not reopen the list over the emptied box.
    this.closeMentions();
    this.emoji.close();
    this.lastTyping = 0;
    this.autosize();
    this.opts.onDraft && this.opts.onDraft("");
    if (this.preview && !this.preview.hidden) this.togglePreview(false);
  }

  keydown(event) {
    if (this.emoji.keydown(event)) return;
    if (this.list && !this.list.hidden && this.suggestions.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.highlight((this.active + step + this.suggestions.length) % this.suggestions.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.choose(this.active < 0 ? 0 : this.active);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.closeMentions();
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
      return;
    }
    if (event.key === "ArrowUp" && !this.input.value && !event.altKey && this.opts.onEditLast) {
      if (this.opts.onEditLast()) event.preventDefault();
    }
  }

  // ----- Mentions -----

  detectMention() {
    if (!this.list || !this.opts.mentions) return;
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = before.match(MENTION_BEFORE_CARET);
    if (!match) {
      this.closeMentions();
      return;
    }
    this.mentionQuery = match[2] || "";
    this.lookup(this.mentionQuery);
  }

  async fetchPeople(query) {
    const asked = query;
    let people = [];
    try {
      people = results(await get(`/api/directory/${qs({ q: query })}`));
    } catch {
      people = [];
    }
    if (asked !== this.mentionQuery) return;
    this.suggestions = people.slice(0, 8);
    this.renderMentions();
  }

  renderMentions() {
    this.list.replaceChildren();
    if (!this.suggestions.length) {
      this.closeMentions();
      return;
    }
    this.suggestions.forEach((person, index) => {
      this.list.append(
        h(
          "li",
          { role: "option", id: `mention-${index}`, "data-index": index, "aria-selected": "false" },
          h("strong", {}, person.name || handleOf(person)),
          h("span", { class: "muted" }, ` @${handleOf(person)}`),
        ),
      );
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight(0);
  }

  highlight(index) {
    this.active = index;
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    this.input.setAttribute("aria-activedescendant", `mention-${index}`);
  }

  choose(index) {
    const person = this.suggestions[index];
    if (!person) return;
    const caret = this.input.selectionStart;
    const before = this.input.value.slice(0, caret).replace(/@([A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/, `@${handleOf(person)} `);
    const after = this.input.value.slice(caret);
    this.input.value = before + after;
    this.input.setSelectionRange(before.length, before.length);
    this.closeMentions();
    this.input.focus();
  }

  closeMentions() {
    if (!this.list) return;
    this.list.hidden = true;
    this.suggestions = [];
    this.active = -1;
    this.mentionQuery = null;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  get mentionsOpen() {
    return !!this.list && !this.list.hidden;
  }

  // ----- Preview -----

  async togglePreview(force) {
    if (!this.preview) return;
    const show = force === undefined ? this.preview.hidden : force;
    this.previewToggle.setAttribute("aria-pressed", show ? "true" : "false");
    this.previewToggle.textContent = show ? "Write" : "Preview";
    if (!show) {
      this.preview.hidden = true;
      this.input.hidden = false;
      this.input.focus();
      return;
    }
    const body = this.input.value.trim();
    this.preview.hidden = false;
    this.input.hidden = true;
    if (!body) {
      this.preview.replaceChildren(h("p", { class: "muted" }, "Nothing to preview."));
      return;
    }
    this.preview.replaceChildren(h("p", { class: "muted" }, "Rendering…"));
    try {
      const data = await post("/api/markdown/preview/", { body, room: this.opts.roomId() ?? undefined });
      // Safe HTML rendered by the server, as a message's `html` is.
      this.preview.innerHTML = (data && data.html) || "";
    } catch (error) {
      this.preview.replaceChildren(h("p", { class: "form-error" }, `Preview unavailable: ${error.message}`));
    }
  }
}
