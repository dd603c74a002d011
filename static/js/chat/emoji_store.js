// Where the emoji come from: the index is fetched the first time something needs it (the
// picker opening, a `:` typed in a composer), never on page load, and kept for the page's life.
// The recently used emoji are kept in localStorage (per workspace: storage is per host).

import { buildIndex, pushRecent, readRecent, readTone } from "./emoji_data.js";

const RECENT_KEY = "chat.emoji.recent";
const TONE_KEY = "chat.emoji.tone";

let loading = null;
let loaded = null;

/** The index's static URL, from the composer's emoji button (templates/chat/home.html). */
function source() {
  const holder = document.querySelector("[data-emoji-index]");
  return holder ? holder.dataset.emojiIndex : "/static/vendor/emojibase-data/picker.json";
}

/** The index once it is here, else null (and it starts coming). */
export function emojiNow() {
  if (!loaded) loadEmoji().catch(() => {});
  return loaded;
}

/** The index; a failed fetch is tried again at the next call. */
export function loadEmoji() {
  if (loaded) return Promise.resolve(loaded);
  if (!loading) {
    loading = fetch(source(), { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`The emoji could not load (${response.status}).`);
        return response.json();
      })
      .then((raw) => {
        loaded = buildIndex(raw);
        return loaded;
      })
      .finally(() => {
        loading = null;
      });
  }
  return loading;
}

export function recentEmoji() {
  try {
    return readRecent(localStorage.getItem(RECENT_KEY));
  } catch {
    return []; // storage refused (private mode): no recent list, nothing breaks
  }
}

export function rememberEmoji(emoji) {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(pushRecent(recentEmoji(), emoji)));
  } catch {
    // storage full or refused: the emoji was still used
  }
}

export function skinTone() {
  try {
    return readTone(localStorage.getItem(TONE_KEY));
  } catch {
    return 0;
  }
}

export function rememberSkinTone(tone) {
  try {
    localStorage.setItem(TONE_KEY, String(tone));
  } catch {
    // refused: the tone holds for this picker only
  }
}
