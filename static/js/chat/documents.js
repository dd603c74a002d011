// Documents as people see them in the chat and on the document pages: the card of one document
// (name, type, size, pages, status, first lines, open and download), kept live by
// `document.updated` frames, and a document's search hit.
//
// Frames and answers arrive in any order (a frame can beat the upload's own answer, a message
// can carry an older copy of a document than a frame already brought), so the newest copy of
// each document is remembered here and every card shows the most advanced one.

import { get } from "./api.js";
import { h, snippetNodes } from "./util.js";

const STATUS_RANK = { pending: 0, processing: 1, ready: 2, failed: 2 };
const STATUS_LABEL = { pending: "Waiting to be read…", processing: "Reading…", ready: "Ready", failed: "Could not be read" };
const KIND_LABEL = {
  "application/pdf": "PDF",
  "text/plain": "TXT",
  "text/markdown": "MD",
  "text/csv": "CSV",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
  "application/vnd.oasis.opendocument.text": "ODT",
  "application/vnd.oasis.opendocument.spreadsheet": "ODS",
  "application/vnd.oasis.opendocument.presentation": "ODP",
  "image/png": "PNG",
  "image/jpeg": "JPG",
  "image/gif": "GIF",
  "image/webp": "WEBP",
};

const known = new Map();
let cards = 0; // numbers the cards, for ids unique on the page

function advance(doc) {
  return [STATUS_RANK[doc.status] ?? 0, doc.pages_done || 0];
}

function newer(a, b) {
  const [ra, pa] = advance(a);
  const [rb, pb] = advance(b);
  return ra !== rb ? ra > rb : pa >= pb;
}

/** Keep `doc` if it is at least as far along as what is known; return the freshest copy. */
export function remember(doc) {
  if (!doc || !doc.id) return doc;
  const old = known.get(doc.id);
  const fresh = !old || newer(doc, old) ? { ...old, ...doc } : old;
  known.set(doc.id, fresh);
  // Said once, rather than every progress step: screen readers hear "ready", not each page.
  if (old && !isFinished(old) && isFinished(fresh)) window.dispatchEvent(new CustomEvent("documentfinished", { detail: fresh }));
  return fresh;
}

export function isFinished(doc) {
  return doc.status === "ready" || doc.status === "failed";
}

export function formatSize(bytes) {
  if (typeof bytes !== "number" || Number.isNaN(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

export function kindLabel(doc) {
  if (KIND_LABEL[doc.content_type]) return KIND_LABEL[doc.content_type];
  const ext = (doc.name || "").split(".").pop();
  return ext && ext !== doc.name && ext.length <= 4 ? ext.toUpperCase() : "FILE";
}

export function pagesLabel(count) {
  return `${count} page${count === 1 ? "" : "s"}`;
}

/** The kind of file as a small coloured tile (PDF, DOCX…). */
export function kindIcon(doc) {
  const kind = kindLabel(doc);
  return h("span", { class: "doc-icon", "data-kind": kind.toLowerCase(), "aria-hidden": "true" }, kind);
}

/** Status words and, while reading, a progress bar of pages done. */
export function statusElement(doc) {
  const wrap = h("div", { class: "doc-status" });
  let words = STATUS_LABEL[doc.status] || doc.status;
  if (doc.status === "processing" && doc.pages) words = `Reading page ${Math.min(doc.pages_done + 1, doc.pages)} of ${doc.pages}`;
  if (doc.status === "ready" && doc.pages) words = `Ready · ${pagesLabel(doc.pages)}`;
  wrap.append(h("span", { class: "doc-badge", "data-status": doc.status }, words));
  if (!isFinished(doc)) {
    const bar = h("progress", { class: "doc-progress", max: doc.pages || 1, "aria-label": `Reading ${doc.name}` });
    if (doc.pages) bar.value = doc.pages_done || 0;
    else bar.removeAttribute("value"); // indeterminate until the page count is known
    wrap.append(bar);
  }
  if (doc.status === "failed" && doc.error) wrap.append(h("p", { class: "doc-error" }, doc.error));
  return wrap;
}

function metaLine(doc) {
  const parts = [kindLabel(doc), formatSize(doc.size)];
  if (doc.pages) parts.push(pagesLabel(doc.pages));
  return parts.filter(Boolean).join(" · ");
}

/** The card of one document; `opts.compact` leaves the first lines out (the composer's tray). */
export function documentCard(doc, opts = {}) {
  const card = h("article", { class: `doc-card${opts.compact ? " compact" : ""}`, "data-document-id": doc.id });
  fillCard(card, remember(doc));
  return card;
}

export function fillCard(card, doc) {
  const compact = card.classList.contains("compact");
  card.dataset.status = doc.status;
  card.setAttribute("aria-busy", isFinished(doc) ? "false" : "true");
  // From the composer's tray the viewer opens in a new tab, so the message being written stays.
  const away = compact ? { target: "_blank", rel: "noopener" } : {};
  if (!card.dataset.key) card.dataset.key = String(++cards);
  const nameId = `doc-card-${card.dataset.key}`;
  card.setAttribute("aria-labelledby", nameId);
  const info = h(
    "div",
    { class: "doc-info" },
    h("a", { class: "doc-name", href: doc.url, id: nameId, title: doc.name, ...away }, doc.name),
    h("div", { class: "doc-meta" }, metaLine(doc)),
    statusElement(doc),
  );
  if (!compact && doc.status === "ready" && doc.excerpt) info.append(h("p", { class: "doc-excerpt" }, doc.excerpt));
  const actions = h(
    "div",
    { class: "doc-actions" },
    h("a", { class: "doc-action", href: doc.url, "aria-label": `Open ${doc.name}`, ...away }, "Open"),
    h("a", { class: "doc-action", href: doc.download_url, download: "", "aria-label": `Download ${doc.name}` }, "Download"),
  );
  card.replaceChildren(kindIcon(doc), info, actions);
}

/** Every card of this document, wherever it is shown, moves to the newest state. */
export function updateDocumentCards(doc) {
  const fresh = remember(doc);
  if (!fresh) return fresh;
  for (const card of document.querySelectorAll(`.doc-card[data-document-id="${Number(fresh.id)}"]`)) fillCard(card, fresh);
  return fresh;
}

/** The documents a message carries. */
export function attachmentsElement(docs) {
  return h("div", { class: "msg-attachments" }, (docs || []).filter((doc) => doc && doc.id).map((doc) => documentCard(doc)));
}

/** The viewer's address for a page, with the words to highlight. */
export function viewerUrl(doc, page, query) {
  const params = new URLSearchParams();
  if (page) params.set("page", String(page));
  if (query) params.set("q", query);
  const search = params.toString();
  return `${doc.url}${search ? `?${search}` : ""}${page ? `#page-${page}` : ""}`;
}

/** A search hit in a document: its name, the page, the snippet; opens the viewer at that page. */
export function documentHit(item, query) {
  const doc = item.document || {};
  const text = h("div", { class: "result-snippet" });
  if (item.snippet) text.append(snippetNodes(item.snippet));
  return h(
    "a",
    { class: "result result-document", href: viewerUrl(doc, item.page, query), "data-document-id": doc.id },
    h(
      "div",
      { class: "result-meta" },
      kindIcon(doc),
      h("strong", { class: "result-doc-name" }, doc.name || "Document"),
      item.page ? h("span", { class: "result-page" }, `page ${item.page}`) : "",
    ),
    text,
  );
}

/** Ask the server again for the documents of `ids` that are not finished (a socket that was
 * down missed their frames); each answer updates their cards and goes to `onUpdate`. */
export async function refreshDocuments(ids, onUpdate = () => {}) {
  for (const id of ids) {
    const cached = known.get(id);
    if (cached && isFinished(cached)) continue;
    try {
      onUpdate(updateDocumentCards(await get(`/api/documents/${id}/`)));
    } catch (error) {
      if (error.status === 404) known.set(id, { ...(cached || { id }), status: "failed", error: "This document is no longer available." });
    }
  }
}

/** The documents whose cards on screen are still waiting or being read. */
export function unfinishedOnScreen() {
  const ids = new Set();
  for (const card of document.querySelectorAll('.doc-card[data-status="pending"], .doc-card[data-status="processing"]')) ids.add(Number(card.dataset.documentId));
  return [...ids];
}

/** Ask every few seconds for the documents of `ids()` (the pages that have no socket). Stops
 * while the tab is hidden. */
export function pollUnfinished(ids, onUpdate, every = 2500) {
  let busy = false;
  const tick = async () => {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    try {
      await refreshDocuments(ids(), onUpdate);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, every);
  return () => clearInterval(timer);
}
