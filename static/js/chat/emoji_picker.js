// The emoji picker: one panel at most on the page, opened by the composer's emoji button (to
// insert at the caret) or by a message's "Add a reaction" (to react). The search box keeps the
// focus while the arrows move through the grid (a combobox, as in emoji-mart and Slack): type
// to search, arrows to choose, Enter to pick, Escape to close (focus goes back where it was).

import { insertAtCaret } from "./emoji_complete.js";
import { TONES, TONE_NAMES, gridMove, pickerSections, searchEmoji, shortcodeFor, toned } from "./emoji_data.js";
import { loadEmoji, recentEmoji, rememberEmoji, rememberSkinTone, skinTone } from "./emoji_store.js";
import { h } from "./util.js";

const MARGIN = 8;
const WIDTH = 352;
const RECENT_ICON = "🕘";

let open = null;

export function emojiPickerOpen() {
  return !!open;
}

/** Whether the open picker belongs to `anchor` (its button toggles it). */
export function emojiPickerFrom(anchor) {
  return !!open && open.anchor === anchor;
}

/** A composer's emoji button: it toggles the picker, and the emoji picked goes in at the caret. */
export function bindEmojiButton(button, input) {
  button.addEventListener("click", (event) => {
    // The page's delegated click closes a picker on any click outside it (actions.js); this
    // button toggles the picker itself.
    event.stopPropagation();
    if (emojiPickerFrom(button)) closeEmojiPicker();
    else
      openEmojiPicker({
        anchor: button,
        over: button.closest(".composer-box"), // above the box: the text being written stays in sight
        label: "Insert an emoji",
        onPick: (emoji) => insertAtCaret(input, emoji),
      });
  });
}

/**
 * Open the picker by `anchor` (above `over` when given). `onPick(emoji)` runs after it closes;
 * focus goes back to `returnTo` (the anchor by default) when it closes, before `onPick`.
 */
export function openEmojiPicker({ anchor, over, label, onPick, returnTo }) {
  closeEmojiPicker(false);
  const search = h("input", {
    type: "search",
    class: "input emoji-search",
    placeholder: "Search emoji",
    "aria-label": "Search emoji",
    autocomplete: "off",
    spellcheck: "false",
    role: "combobox",
    "aria-expanded": "true",
    "aria-controls": "emoji-grid",
    "aria-autocomplete": "list",
  });
  const tabs = h("div", { class: "emoji-tabs", role: "toolbar", "aria-label": "Emoji categories" });
  const grid = h("div", { class: "emoji-grid", id: "emoji-grid", role: "listbox", "aria-label": "Emoji" });
  const preview = h("div", { class: "emoji-preview", "aria-hidden": "true" });
  const toneButton = h("button", { type: "button", class: "emoji-tone-btn", onclick: () => nextTone(open) });
  const foot = h("div", { class: "emoji-foot" }, preview, toneButton);
  const panel = h("div", { class: "emoji-picker emoji-panel", role: "dialog", "aria-label": label }, search, tabs, grid, foot);
  document.body.append(panel);
  open = { panel, anchor, returnTo: returnTo || anchor, onPick, search, tabs, grid, preview, toneButton, tone: skinTone() };
  Object.assign(open, { index: null, sections: [], pos: null });
  showTone(open);
  place(panel, anchor, over || anchor);
  search.focus();
  search.addEventListener("input", () => render(open));
  panel.addEventListener("keydown", keydown);
  grid.addEventListener("click", (event) => {
    const cell = event.target.closest(".emoji-cell");
    if (cell) pick(cell.dataset.emoji);
  });
  grid.addEventListener("mousemove", (event) => {
    const cell = event.target.closest(".emoji-cell");
    if (cell && open) setActive(open, { section: Number(cell.dataset.section), index: Number(cell.dataset.index) }, false);
  });
  load(open);
}

/** Returns whether there was a picker to close (Esc closes one thing at a time). */
export function closeEmojiPicker(returnFocus = true) {
  if (!open) return false;
  const { panel, returnTo } = open;
  open = null;
  panel.remove();
  if (returnFocus && returnTo && document.contains(returnTo)) returnTo.focus();
  return true;
}

function load(state) {
  state.grid.replaceChildren(h("p", { class: "emoji-status", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), "Loading emoji…"));
  loadEmoji()
    .then((index) => {
      if (open !== state) return;
      state.index = index;
      renderTabs(state);
      render(state);
    })
    .catch((error) => {
      if (open !== state) return;
      const retry = h("button", { type: "button", class: "btn btn-secondary btn-sm", onclick: () => load(state) }, "Try again");
      state.grid.replaceChildren(h("div", { class: "emoji-status", role: "alert" }, h("p", {}, error.message || "The emoji could not load."), retry));
    });
}

/** Above the anchor (below when there is no room above), inside the window on a phone too. */
function place(panel, anchor, over) {
  const width = Math.min(WIDTH, window.innerWidth - 2 * MARGIN);
  panel.style.width = `${width}px`;
  const rect = anchor.getBoundingClientRect();
  const height = panel.offsetHeight;
  const left = rect.left + width <= window.innerWidth - MARGIN ? rect.left : rect.right - width;
  panel.style.left = `${Math.max(MARGIN, Math.min(window.innerWidth - width - MARGIN, left))}px`;
  const box = over.getBoundingClientRect();
  let top = box.top - height - 6;
  if (top < MARGIN) top = Math.min(box.bottom + 6, window.innerHeight - height - MARGIN);
  panel.style.top = `${Math.max(MARGIN, top)}px`;
}

function showTone(state) {
  const name = TONE_NAMES[state.tone];
  state.toneButton.textContent = `✋${TONES[state.tone]}`;
  state.toneButton.setAttribute("aria-label", `Skin tone: ${name}. Change it`);
  state.toneButton.title = `Skin tone: ${name} (click to change)`;
}

/** The next skin tone, kept for next time; the grid stays where it was. */
function nextTone(state) {
  if (!state) return;
  state.tone = (state.tone + 1) % TONES.length;
  rememberSkinTone(state.tone);
  showTone(state);
  if (!state.index) return;
  const { pos } = state;
  const top = state.grid.scrollTop;
  render(state);
  state.grid.scrollTop = top;
  if (pos) setActive(state, pos, false);
}

function renderTabs(state) {
  const sections = pickerSections(state.index, recentEmoji());
  state.tabs.replaceChildren(
    ...sections.map((section) =>
      h(
        "button",
        {
          type: "button",
          class: "emoji-tab",
          "data-section": section.id,
          "aria-label": section.name,
          title: section.name,
          onclick: () => jumpTo(state, section.id),
        },
        section.id === "recent" ? RECENT_ICON : section.items[0].emoji,
      ),
    ),
  );
}

function jumpTo(state, sectionId) {
  if (state.search.value) {
    state.search.value = "";
    render(state);
  }
  const at = state.sections.findIndex((section) => section.id === sectionId);
  if (at < 0) return;
  const heading = state.grid.querySelector(`[data-section-id="${sectionId}"]`);
  if (heading) state.grid.scrollTop = heading.offsetTop - state.grid.offsetTop;
  setActive(state, { section: at, index: 0 }, false);
  state.search.focus();
}

function render(state) {
  if (!state.index) return;
  const query = state.search.value.trim();
  state.sections = query
    ? [{ id: "results", name: "Search results", items: searchEmoji(state.index, query) }]
    : pickerSections(state.index, recentEmoji());
  state.pos = null;
  state.search.removeAttribute("aria-activedescendant");
  if (!state.sections.some((section) => section.items.length)) {
    state.grid.replaceChildren(h("p", { class: "emoji-status", role: "status" }, `No emoji match “${query}”.`));
    state.preview.replaceChildren();
    return;
  }
  state.grid.replaceChildren(
    ...state.sections.map((section, s) =>
      h(
        "div",
        { class: "emoji-section", role: "group", "aria-labelledby": `emoji-head-${section.id}`, "data-section-id": section.id },
        h("h3", { class: "emoji-heading", id: `emoji-head-${section.id}` }, section.name),
        h(
          "div",
          { class: "emoji-cells" },
          section.items.map((entry, i) => {
            const shown = toned(entry, state.tone);
            return h(
              "button",
              {
                type: "button",
                class: "emoji-cell",
                id: `emoji-opt-${s}-${i}`,
                role: "option",
                tabindex: "-1",
                "aria-selected": "false",
                "aria-label": entry.name,
                "data-emoji": shown,
                "data-section": s,
                "data-index": i,
              },
              shown,
            );
          }),
        ),
      ),
    ),
  );
  state.grid.scrollTop = 0;
  setActive(state, { section: 0, index: 0 }, false);
}

function cellAt(state, pos) {
  return pos && state.grid.querySelector(`#emoji-opt-${pos.section}-${pos.index}`);
}

function setActive(state, pos, scroll = true) {
  const entry = state.sections[pos.section] && state.sections[pos.section].items[pos.index];
  if (!entry) return;
  const before = cellAt(state, state.pos);
  if (before) before.setAttribute("aria-selected", "false");
  state.pos = pos;
  const cell = cellAt(state, pos);
  cell.setAttribute("aria-selected", "true");
  state.search.setAttribute("aria-activedescendant", cell.id);
  if (scroll) cell.scrollIntoView({ block: "nearest" });
  const code = shortcodeFor(entry, state.search.value.trim().replace(/^:|:$/g, ""));
  state.preview.replaceChildren(
    h("span", { class: "emoji-preview-glyph" }, toned(entry, state.tone)),
    h("span", { class: "emoji-preview-name" }, entry.name),
    code ? h("code", { class: "emoji-preview-code" }, `:${code}:`) : "",
  );
  const sectionId = state.sections[pos.section].id;
  for (const tab of state.tabs.children) tab.classList.toggle("is-current", tab.dataset.section === sectionId);
}

function keydown(event) {
  const state = open;
  if (!state) return;
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    closeEmojiPicker();
    return;
  }
  if (!state.pos) return;
  if (event.key.startsWith("Arrow")) {
    const sideways = event.key === "ArrowLeft" || event.key === "ArrowRight";
    // Left and Right move the caret of a search being written; at its end they move in the grid.
    if (sideways && event.target === state.search && state.search.selectionStart < state.search.value.length) return;
    event.preventDefault();
    const sizes = state.sections.map((section) => section.items.length);
    setActive(state, gridMove(sizes, state.pos, event.key));
    return;
  }
  if (event.key === "Enter" && (event.target === state.search || event.target.classList.contains("emoji-cell"))) {
    event.preventDefault();
    pick(state.sections[state.pos.section].items[state.pos.index].emoji);
  }
}

function pick(emoji) {
  if (!open) return;
  const { onPick } = open;
  rememberEmoji(emoji);
  closeEmojiPicker();
  onPick(emoji);
}
