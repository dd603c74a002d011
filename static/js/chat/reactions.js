// Emoji reactions: toggling one (over the socket, or the API when it is down), and the emoji
// picker (emoji_picker.js) that opens from a message's "Add a reaction" button.

import { del, post } from "./api.js";
import { me } from "./config.js";
import { closeEmojiPicker, emojiPickerOpen, openEmojiPicker } from "./emoji_picker.js";
import { toast } from "./notices.js";
import { reactionChange } from "./message_data.js";

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
  return emojiPickerOpen();
}

/** The whole set, by `button`: the emoji picked toggles this person's reaction. */
export function openPicker(app, button, msg) {
  openEmojiPicker({ anchor: button, label: "Choose a reaction", onPick: (emoji) => toggleReaction(app, msg, emoji) });
}

/** Returns whether there was a picker to close (Esc closes one thing at a time). */
export function closePicker() {
  return closeEmojiPicker();
}
