// Uploading documents: from a file picker, by dropping files, or by pasting them. Each file goes
// in its own XMLHttpRequest (fetch cannot report upload progress) to POST /api/documents/, with
// a progress bar and a Cancel button in a tray; refusals show the server's own sentence.
//
// In the chat, an uploaded document waits in the tray (as its card, live) until the next message
// carries it; each room keeps its own tray, since a document is uploaded into one room.

import { postForm } from "./api.js";
import { documentCard, formatSize, kindIcon, remember } from "./documents.js";
import { h } from "./util.js";

const FALLBACK_ERRORS = {
  400: "This file could not be uploaded.",
  402: "Your workspace's plan does not allow more documents.",
  403: "You cannot share documents here.",
  404: "This conversation is not available.",
  413: "This file is too large to upload.",
  415: "This type of file is not supported.",
  429: "Too many uploads at once. Wait a moment and try again.",
};

/** Upload one file. Returns {promise, abort}; the promise gives the document payload, or fails
 * with an ApiError whose message is fit to show (and `aborted` set when cancelled). */
export function uploadDocument(file, { room = null, onProgress = () => {} } = {}) {
  const form = new FormData();
  form.append("file", file, file.name);
  if (room) form.append("room", String(room));
  const upload = postForm("/api/documents/", form, { onProgress, fallbacks: FALLBACK_ERRORS });
  const promise = upload.promise.catch((error) => {
    if (error.status === 429 && error.retryAfter && !(error.data && error.data.detail)) {
      error.message = `Too many uploads. Try again in ${error.retryAfter} s.`;
    }
    throw error;
  });
  return { promise, abort: upload.abort };
}

let counter = 0;

/**
 * The tray of uploads above a composer (or an upload form).
 * @param tray the element to draw in
 * @param opts {room(): id|null, keep: bool (documents stay as pending attachments),
 *              onUploaded(doc), onChange(), maxBytes: refused before sending when larger,
 *              refocus(): where focus goes once the focused item is removed}
 */
export class UploadTray {
  constructor(tray, opts = {}) {
    this.tray = tray;
    this.opts = { room: () => null, keep: true, onUploaded: () => {}, onChange: () => {}, refocus: () => {}, ...opts };
    this.items = [];
    this.notice = "";
    this.render();
  }

  get room() {
    return this.opts.room() ?? null;
  }

  /** Start uploading these files (a FileList or an array). */
  add(files) {
    const max = this.opts.maxBytes;
    for (const file of files) {
      const item = { key: `u${++counter}`, file, room: this.room, state: "uploading", progress: 0, doc: null, error: "" };
      this.items.push(item);
      if (this.opts.refused) {
        // The workspace's storage is full or it is read-only: the page said so, and why.
        Object.assign(item, { state: "failed", error: this.opts.refused });
        continue;
      }
      if (max && file.size > max) {
        // Refused here rather than after sending megabytes the server would refuse too.
        Object.assign(item, { state: "failed", error: `This file is larger than the ${formatSize(max)} upload limit.` });
        continue;
      }
      const upload = uploadDocument(file, {
        room: item.room,
        onProgress: (fraction) => {
          item.progress = fraction;
          this.renderProgress(item);
        },
      });
      item.abort = upload.abort;
      upload.promise.then(
        (doc) => {
          item.state = "done";
          item.doc = remember(doc);
          this.opts.onUploaded(item.doc, item);
          if (!this.opts.keep) this.drop(item.key, false);
          this.changed();
        },
        (error) => {
          if (error.aborted) {
            this.drop(item.key);
            return;
          }
          item.state = "failed";
          item.error = error.message;
          this.changed();
        },
      );
    }
    this.notice = "";
    this.changed();
  }

  mine() {
    return this.items.filter((item) => item.room === this.room);
  }

  /** Documents uploaded and waiting to be sent with the next message (this room). */
  ready() {
    return this.mine()
      .filter((item) => item.state === "done")
      .map((item) => item.doc);
  }

  uploading() {
    return this.mine().some((item) => item.state === "uploading");
  }

  /** True when the next message may go now; otherwise says why in the tray. */
  readyToSend() {
    if (!this.uploading()) return true;
    this.notice = "Wait for the upload to finish before sending.";
    this.render();
    return false;
  }

  /** Hand the waiting documents to a message being sent, and clear them from the tray. */
  take() {
    const docs = this.ready();
    this.items = this.items.filter((item) => !(item.room === this.room && item.state === "done"));
    this.changed();
    return docs;
  }

  drop(key, render = true) {
    const item = this.items.find((it) => it.key === key);
    if (!item) return;
    const hadFocus = this.tray.contains(document.activeElement);
    if (item.state === "uploading" && item.abort) item.abort();
    this.items = this.items.filter((it) => it !== item);
    if (render) this.changed();
    if (hadFocus) (this.tray.querySelector(".upload-remove, .upload-cancel") || this.opts.refocus() || document.body).focus?.();
  }

  changed() {
    if (!this.uploading()) this.notice = "";
    this.render();
    this.opts.onChange();
  }

  renderProgress(item) {
    const bar = this.tray.querySelector(`[data-key="${item.key}"] progress`);
    if (bar) {
      bar.value = Math.round(item.progress * 100);
      const label = this.tray.querySelector(`[data-key="${item.key}"] .upload-percent`);
      if (label) label.textContent = `${Math.round(item.progress * 100)}%`;
    } else this.render();
  }

  render() {
    const items = this.mine();
    this.tray.hidden = !items.length && !this.notice;
    const list = h("ul", { class: "upload-list", "aria-label": "Files" });
    for (const item of items) list.append(this.itemElement(item));
    this.tray.replaceChildren(list, this.notice ? h("p", { class: "upload-notice", role: "status" }, this.notice) : "");
  }

  itemElement(item) {
    const name = item.file.name;
    if (item.state === "done") {
      return h(
        "li",
        { class: "upload-item done", "data-key": item.key },
        documentCard(item.doc, { compact: true }),
        h(
          "button",
          { type: "button", class: "upload-remove", "aria-label": `Remove ${name}`, title: "Remove", onclick: () => this.drop(item.key) },
          "×",
        ),
      );
    }
    const fake = { name, content_type: item.file.type };
    if (item.state === "failed") {
      return h(
        "li",
        { class: "upload-item failed", "data-key": item.key, role: "alert" },
        kindIcon(fake),
        h("div", { class: "upload-info" }, h("span", { class: "upload-name", title: name }, name), h("span", { class: "upload-error" }, item.error)),
        h(
          "button",
          { type: "button", class: "upload-remove", "aria-label": `Dismiss the error about ${name}`, title: "Dismiss", onclick: () => this.drop(item.key) },
          "×",
        ),
      );
    }
    const percent = Math.round(item.progress * 100);
    return h(
      "li",
      { class: "upload-item uploading", "data-key": item.key },
      kindIcon(fake),
      h(
        "div",
        { class: "upload-info" },
        h("span", { class: "upload-name", title: name }, name),
        h(
          "span",
          { class: "upload-line" },
          h("progress", { max: 100, value: percent, "aria-label": `Uploading ${name}` }),
          h("span", { class: "upload-percent" }, `${percent}%`),
          h("span", { class: "muted" }, formatSize(item.file.size)),
        ),
      ),
      h("button", { type: "button", class: "btn btn-secondary btn-sm upload-cancel", "aria-label": `Cancel the upload of ${name}`, onclick: () => this.drop(item.key) }, "Cancel"),
    );
  }
}

function hasFiles(event) {
  return !!event.dataTransfer && [...event.dataTransfer.types].includes("Files");
}

/** Files dropped on `zone` go to `onFiles`; `zone` gets the class `dropping` while files are
 * dragged over it. `accept()` may refuse (a read-only room). */
export function bindDropZone(zone, onFiles, accept = () => true) {
  let depth = 0;
  const reset = () => {
    depth = 0;
    zone.classList.remove("dropping");
  };
  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event) || !accept()) return;
    event.preventDefault();
    depth += 1;
    zone.classList.add("dropping");
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event) || !accept()) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove("dropping");
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    reset();
    if (accept() && event.dataTransfer.files.length) onFiles(event.dataTransfer.files);
  });
  window.addEventListener("blur", reset);
}

/** Files pasted into `input` (a screenshot, a file copied in the file manager) go to `onFiles`;
 * pasted text stays text. */
export function bindPaste(input, onFiles) {
  input.addEventListener("paste", (event) => {
    const files = event.clipboardData ? [...event.clipboardData.files] : [];
    if (!files.length) return;
    event.preventDefault();
    onFiles(files);
  });
}

/** A button that opens a (hidden) file input, whose chosen files go to `onFiles`. */
export function bindPicker(button, input, onFiles) {
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (input.files && input.files.length) onFiles([...input.files]);
    input.value = "";
  });
}
