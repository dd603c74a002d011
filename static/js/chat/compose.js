// The chat's composers: the room's (with mentions, drafts per room and attachments) and the
// thread's. The paperclip, files dropped on the conversation and files pasted in the composer
// all go to the upload tray, as attachments of the next message in this room.

import { Composer } from "./composer.js";
import { config } from "./config.js";
import { $, el } from "./dom.js";
import { editLast } from "./editing.js";
import { announce } from "./notices.js";
import { send } from "./sending.js";
import { canPost } from "./sidebar_data.js";
import { UploadTray, bindDropZone, bindPaste, bindPicker } from "./uploads.js";

/** Adds `uploads`, `composer` and `threadComposer` to the app. */
export function setupComposers(app) {
  app.uploads = new UploadTray($("upload-tray"), {
    room: () => app.current,
    maxBytes: config.max_upload_bytes,
    refused: config.upload_refused,
    refocus: () => app.composer.input,
  });
  app.composer = new Composer(el.composer, {
    mentions: true,
    maxLength: config.max_body_length,
    roomId: () => app.current,
    hasAttachments: () => app.uploads.ready().length > 0 || app.uploads.uploading(),
    canSend: () => app.uploads.readyToSend(),
    onSend: (body) => send(app, app.current, body, null, app.uploads.take()),
    onTyping: () => app.socket.send({ type: "typing", room: app.current }),
    onEditLast: () => editLast(app),
    onDraft: (text) => app.current && app.drafts.set(app.current, text),
  });
  app.threadComposer = new Composer(el.threadComposer, {
    mentions: false,
    maxLength: config.max_body_length,
    roomId: () => app.current,
    onSend: (body) => app.thread && send(app, app.thread.room, body, app.thread.root),
    onTyping: () => app.thread && app.socket.send({ type: "typing", room: app.thread.room }),
  });
}

export function bindUploads(app) {
  const postable = () => !!app.current && canPost(app.rooms, app.current);
  const add = (files) => {
    if (!postable()) return;
    app.uploads.add(files);
    app.composer.focus();
  };
  bindPicker($("attach-btn"), $("attach-input"), add);
  bindPaste(app.composer.input, add);
  bindDropZone(el.main, add, postable);
  window.addEventListener("documentfinished", ({ detail: doc }) => {
    if (!app.uploads.ready().some((waiting) => waiting.id === doc.id)) return;
    announce(doc.status === "ready" ? `${doc.name} is ready to send.` : `${doc.name} could not be read. ${doc.error || ""}`);
  });
}
