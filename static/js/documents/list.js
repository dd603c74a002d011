// /documents/: the documents a person can read, newest first, with an upload form. The first
// page comes with the page (documents-config); "Load more" asks the API for older ones, and
// documents still being read are followed until they are ready. Those the person may delete
// carry a Delete button; a deleted document leaves the list at once.

import { get, qs } from "../chat/api.js";
import { documentCard, pollUnfinished, unfinishedOnScreen } from "../chat/documents.js";
import { UploadTray, bindDropZone, bindPicker } from "../chat/uploads.js";
import { formatFull, h } from "../chat/util.js";
import { bindConfirmDialog, confirmDelete, takeNotice } from "./delete.js";
import { canDelete } from "./viewer_data.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("documents-config").textContent);
const list = $("doc-list");
const shown = new Set();
let nextBefore = config.next_before;

function row(doc) {
  const who = doc.uploader ? doc.uploader.name : "Former member";
  return h(
    "li",
    { class: "doc-row", id: `document-${doc.id}` },
    documentCard(doc),
    h(
      "div",
      { class: "doc-row-foot" },
      h("p", { class: "doc-row-meta" }, `Uploaded by ${doc.uploader && doc.uploader.id === config.me.id ? "you" : who} · `, h("time", { datetime: doc.created_at }, formatFull(doc.created_at))),
      canDelete(doc, config.me, config.delete_any)
        ? h("button", { type: "button", class: "doc-row-delete", "aria-label": `Delete ${doc.name}`, onclick: () => remove(doc) }, "Delete")
        : null,
    ),
  );
}

async function remove(doc) {
  if (!(await confirmDelete(doc))) return;
  $(`document-${doc.id}`)?.remove();
  shown.delete(doc.id);
  notice(`“${doc.name}” was deleted.`);
  show([]);
}

function notice(text) {
  const box = $("docs-notice");
  box.textContent = text;
  box.hidden = !text;
}

function show(docs, { first = false } = {}) {
  for (const doc of docs) {
    if (shown.has(doc.id)) continue;
    shown.add(doc.id);
    if (first) list.prepend(row(doc));
    else list.append(row(doc));
  }
  $("docs-empty").hidden = shown.size > 0;
  list.hidden = shown.size === 0;
  $("docs-more").hidden = nextBefore === null || nextBefore === undefined;
}

async function loadMore() {
  const button = $("load-more");
  button.disabled = true;
  button.textContent = "Loading…";
  $("docs-error").hidden = true;
  try {
    const page = await get(`/api/documents/${qs({ before: nextBefore, limit: config.page_size })}`);
    nextBefore = page.next_before;
    show(page.results || []);
  } catch (error) {
    $("docs-error").hidden = false;
    $("docs-error").textContent = `Could not load more documents: ${error.message}`;
  } finally {
    button.disabled = false;
    button.textContent = "Load more";
  }
}

list.replaceChildren();
list.removeAttribute("aria-busy");
bindConfirmDialog();
notice(takeNotice());
show(config.documents);
$("load-more").addEventListener("click", loadMore);

const tray = new UploadTray($("upload-tray"), {
  keep: false,
  maxBytes: config.max_upload_bytes,
  refused: config.upload_refused,
  onUploaded: (doc) => show([doc], { first: true }),
});
const add = (files) => tray.add(files);
bindPicker($("upload-btn"), $("upload-input"), add);
bindDropZone($("main"), add);
pollUnfinished(unfinishedOnScreen, () => {});
