// The notice under the composer when a message named people who are not in the room: "Bob isn't
// in #design. Add them? [Add] [Dismiss]". Add calls POST /api/rooms/<id>/members/ for each.
// The text is decided in mentions_data.js.

import { api } from "./api.js";
import { addedNotice, notInRoomNotice, outsidersOf } from "./mentions_data.js";
import { me } from "./config.js";
import { roomLabel } from "./rooms.js";
import { h } from "./util.js";

const DONE_SHOWN_MS = 6000;

function noticeBox() {
  let box = document.getElementById("mention-notice");
  if (!box) {
    box = h("div", { id: "mention-notice", class: "mention-notice", role: "status", "aria-live": "polite", hidden: "" });
    const composer = document.getElementById("composer");
    const anchor = composer && composer.querySelector(".composer-box");
    if (anchor) anchor.after(box);
    else (composer || document.body).append(box);
  }
  return box;
}

function hide() {
  const box = noticeBox();
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.room;
}

function show(app, roomId, people, canAdd) {
  const room = app.rooms.get(roomId) || { name: "this channel" };
  const where = roomLabel(room, me.id);
  const notice = notInRoomNotice(people, { where, canAdd, direct: room.kind === "direct" });
  const box = noticeBox();
  const text = h("span", { class: "mention-notice-text" }, notice.text);
  const actions = h("span", { class: "mention-notice-actions" });
  if (notice.canAdd) {
    const add = h("button", { type: "button", class: "btn btn-primary btn-sm", "data-notice": "add" }, "Add");
    add.addEventListener("click", () => addAll(app, roomId, people, where, add));
    actions.append(add);
  }
  const dismiss = h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-notice": "dismiss" }, "Dismiss");
  dismiss.addEventListener("click", hide);
  actions.append(dismiss);
  box.replaceChildren(text, actions);
  box.dataset.room = String(roomId);
  box.hidden = false;
}

async function addAll(app, roomId, people, where, button) {
  button.disabled = true;
  button.textContent = "Adding…";
  const added = [];
  const failed = [];
  for (const person of people) {
    try {
      await api("POST", `/api/rooms/${roomId}/members/`, { user: person.id });
      added.push(person);
    } catch (error) {
      failed.push({ person, reason: error.message || "something went wrong." });
    }
  }
  const box = noticeBox();
  const dismiss = h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-notice": "dismiss" }, "Dismiss");
  dismiss.addEventListener("click", hide);
  box.replaceChildren(h("span", { class: "mention-notice-text" }, addedNotice(added, failed, where)), h("span", { class: "mention-notice-actions" }, dismiss));
  box.classList.toggle("is-error", failed.length > 0);
  if (!failed.length) setTimeout(() => box.dataset.room === String(roomId) && hide(), DONE_SHOWN_MS);
}

/** Listen to the socket's acks; the notice goes when the person leaves the room. */
export function bindMentionNotices(app) {
  app.socket.addEventListener("frame", (event) => {
    const ack = event.detail;
    const people = outsidersOf(ack);
    if (!people.length || ack.room !== app.current) return;
    noticeBox().classList.remove("is-error");
    show(app, ack.room, people, ack.can_add_members === true);
  });
  setInterval(() => {
    const box = document.getElementById("mention-notice");
    if (box && !box.hidden && box.dataset.room !== String(app.current)) hide();
  }, 1000);
}
