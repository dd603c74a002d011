// Editing and deleting one's messages: the edit box that replaces a message's body in place
// (Enter saves, Esc cancels; Up in an empty composer edits the last one), and the deletion,
// confirmed first.

import { del, patch } from "./api.js";
import { findMessage, roomState } from "./chat_data.js";
import { me } from "./config.js";
import { confirmDialog } from "./dialogs.js";
import { latestOwn } from "./history_data.js";
import { onDeleted, onUpdated } from "./live.js";
import { canEdit, editedBody } from "./message_data.js";
import { fillMessage } from "./messages.js";
import { toast } from "./notices.js";
import { canManage } from "./sidebar_data.js";
import { relayoutTimeline } from "./timeline.js";
import { h } from "./util.js";

function editForm(body) {
  const area = h("textarea", { class: "composer-input msg-edit-input", "aria-label": "Edit message", rows: 2 });
  area.value = body;
  const form = h(
    "form",
    { class: "msg-edit" },
    area,
    h(
      "div",
      { class: "msg-edit-actions" },
      h("span", { class: "muted" }, "Enter to save · Esc to cancel"),
      h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-edit": "cancel" }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary btn-sm" }, "Save"),
    ),
  );
  return { form, area };
}

/** The new body goes over the socket, or the API when it is down. */
async function saveEdit(app, msg, text) {
  msg.body = text;
  if (app.socket.send({ type: "message.edit", id: msg.id, body: text, ref: `edit:${msg.id}` })) return;
  try {
    onUpdated(app, await patch(`/api/messages/${msg.id}/`, { body: text }));
  } catch (error) {
    toast(error.message);
  }
}

export function startEdit(app, li, msg) {
  if (!canEdit(msg, me.id)) return;
  const inThread = li.id.startsWith("t-");
  const body = li.querySelector(".msg-body");
  const { form, area } = editForm(msg.body);
  const done = () => {
    const fresh = findMessage(app, msg.id, inThread) || msg;
    fillMessage(li, fresh, me.id, { inThread, canManage: canManage(app.rooms.get(msg.room), me) });
    if (li.closest("#message-list")) relayoutTimeline(app);
  };
  const save = async () => {
    const text = editedBody(area.value);
    if (!text) return;
    if (text !== msg.body) await saveEdit(app, msg, text);
    done();
    (inThread ? app.threadComposer : app.composer).focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.querySelector('[data-edit="cancel"]').addEventListener("click", done);
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      done();
    }
  });
  body.replaceWith(form);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
}

/** Up in an empty composer: edit this person's last message; false when there is none. */
export function editLast(app) {
  const mine = latestOwn(roomState(app, app.current), me.id);
  if (!mine) return false;
  const li = document.getElementById(`m-${mine.id}`);
  if (!li) return false;
  li.scrollIntoView({ block: "nearest" });
  startEdit(app, li, mine);
  return true;
}

export async function confirmDelete(app, msg) {
  const ok = await confirmDialog("Delete message?", "It will be shown as “message deleted” to everyone. This cannot be undone.", "Delete");
  if (!ok) return;
  if (app.socket.send({ type: "message.delete", id: msg.id, ref: `delete:${msg.id}` })) return;
  try {
    await del(`/api/messages/${msg.id}/`);
    onDeleted(app, msg.id, msg.room);
  } catch (error) {
    toast(error.message);
  }
}
