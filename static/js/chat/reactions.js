// Emoji reactions: toggling one (over the socket, or the API when it is down) and the picker
// that opens from a message's "Add a reaction" button.

import { del, post } from "./api.js";
import { me } from "./config.js";
import { EMOJI } from "./messages.js";
import { toast } from "./notices.js";
import { reactionChange } from "./message_data.js";
import { h } from "./util.js";

// One picker at most on the page, and the button focus goes back to when it closes.
let picker = null;
let pickerReturn = null;

export async function toggleReaction(app, msg, emoji) {
  const { mine, type } = reactionChange(msg, emoji, me.id);
  if (app.socket.send({ type, message: msg.id, emoji, ref: `react:${msg.id}` })) return;
  try {
    if (mine) await del(`/api/messages/${msg.id}/reactions/`, { emoji });
    else await post(`/api/messages/${msg.id}/reactions/`, { emoji });
  } catch (error) {
    toast(error.message);
  }
}

export function pickerOpen() {
  return !!picker;
}

/** The picker above `button` (below it when there is no room above); Left and Right move. */
export function openPicker(app, button, msg) {
  closePicker();
  const box = h("div", { class: "emoji-picker", role: "dialog", "aria-label": "Choose a reaction" });
  for (const emoji of EMOJI) {
    box.append(
      h(
        "button",
        {
          type: "button",
          class: "emoji-btn",
          "aria-label": `React with ${emoji}`,
          onclick: () => {
            closePicker();
            toggleReaction(app, msg, emoji);
          },
        },
        emoji,
      ),
    );
  }
  document.body.append(box);
  const rect = button.getBoundingClientRect();
  const width = box.offsetWidth;
  box.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, rect.right - width))}px`;
  const top = rect.top - box.offsetHeight - 6;
  box.style.top = `${top < 8 ? rect.bottom + 6 : top}px`;
  picker = box;
  pickerReturn = button;
  box.querySelector("button").focus();
  box.addEventListener("keydown", (event) => {
    const buttons = [...box.querySelectorAll("button")];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      buttons[(index + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length].focus();
    }
  });
}

/** Returns whether there was a picker to close (Esc closes one thing at a time). */
export function closePicker() {
  if (!picker) return false;
  picker.remove();
  picker = null;
  if (pickerReturn && document.contains(pickerReturn)) pickerReturn.focus();
  return true;
}
