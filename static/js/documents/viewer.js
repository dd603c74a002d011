// The viewer, /documents/<id>/?page=N&q=words: a document's facts, its status while it is being
// read, and its extracted text page by page. Pages load in chunks as they scroll into view, from
// the page asked for (?page=N, where a search hit points) both ways; the words of `q` are marked.
// While the document is being read, new pages join the end as they are done.

import { get, qs } from "../chat/api.js";
import { formatSize, isFinished, kindLabel, pagesLabel, pollUnfinished, remember, statusElement } from "../chat/documents.js";
import { formatFull, h } from "../chat/util.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("documents-config").textContent);
const CHUNK = 10;

const el = {
  scroller: $("scroller"),
  head: $("viewer-head"),
  facts: $("viewer-facts"),
  progress: $("viewer-progress"),
  pages: $("viewer-pages"),
  status: $("viewer-status"),
  top: h("p", { class: "viewer-status-line viewer-top", id: "viewer-top", "aria-live": "polite" }),
};
el.pages.before(el.top);

let doc = remember(config.document);
const pattern = searchPattern(config.q);
const state = { low: null, high: 0, endReached: false, loadingDown: false, loadingUp: false, failed: false };

/** The words of the search as one pattern. A word of a script that separates words matches from
 * a word's start and takes in the rest of the word (the search matches stems: "contract" finds
 * "contracts"); a word of another script (Japanese, say) matches wherever it is. */
function searchPattern(query) {
  const pieces = (query || "")
    .split(/[\s"'“”‘’.,;:!?()[\]{}<>&|*+-]+/u)
    .filter((word) => word.length >= 2)
    .map((word) => {
      const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]/u.test(word)
        ? `(?<![\\p{L}\\p{N}])${escaped}[\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}\\p{N}]*`
        : escaped;
    });
  return pieces.length ? new RegExp(pieces.join("|"), "giu") : null;
}

function highlighted(text) {
  const out = document.createDocumentFragment();
  if (!pattern) {
    out.append(text);
    return out;
  }
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out.append(text.slice(last, match.index), h("mark", {}, match[0]));
    last = match.index + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function fact(label, value) {
  return value ? h("div", {}, h("dt", {}, label), h("dd", {}, value)) : null;
}

function renderHead() {
  el.head.dataset.status = doc.status;
  const icon = el.head.querySelector(".doc-icon");
  icon.textContent = kindLabel(doc);
  icon.dataset.kind = kindLabel(doc).toLowerCase();
  const mine = doc.uploader && doc.uploader.id === config.me.id;
  el.facts.replaceChildren(
    ...[
      doc.title && doc.title !== doc.name ? fact("File", doc.name) : null,
      fact("Type", kindLabel(doc)),
      fact("Size", formatSize(doc.size)),
      fact("Pages", doc.pages ? String(doc.pages) : ""),
      fact("Author", doc.author),
      fact("Written", doc.authored_at ? formatFull(doc.authored_at) : ""),
      fact("Uploaded by", mine ? "you" : doc.uploader ? doc.uploader.name : ""),
      fact("Uploaded", formatFull(doc.created_at)),
    ].filter(Boolean),
  );
  el.progress.replaceChildren(statusElement(doc));
}

function pageElement(page) {
  const total = doc.pages ? ` of ${doc.pages}` : "";
  let body;
  if (page.error) body = h("p", { class: "doc-page-empty" }, "This page could not be read.");
  else if (!page.text || !page.text.trim()) body = h("p", { class: "doc-page-empty" }, "This page has no text.");
  else body = h("div", { class: "doc-page-text" }, highlighted(page.text.replace(/\f/g, "").replace(/\n{3,}/g, "\n\n").trim()));
  return h(
    "li",
    { class: "doc-page", id: `page-${page.number}`, "data-page": page.number, "aria-labelledby": `page-${page.number}-title` },
    h("header", { class: "doc-page-head" }, h("h2", { id: `page-${page.number}-title` }, h("a", { href: `#page-${page.number}` }, `Page ${page.number}`)), h("span", {}, `${page.number}${total}`)),
    body,
  );
}

function renderStatus() {
  if (state.failed) return;
  let text = "";
  if (state.loadingDown) text = "Loading pages…";
  else if (!state.endReached) text = "";
  else if (!isFinished(doc)) text = "Reading the document… its pages appear here as they are read.";
  else if (doc.status === "failed" && !state.high) text = doc.error || "This document could not be read.";
  else if (!state.high) text = "This document has no text.";
  else text = `End of the document · ${pagesLabel(doc.pages || state.high)}`;
  el.status.textContent = text;
  el.top.textContent = state.loadingUp ? "Loading earlier pages…" : "";
}

/** Within a screen of the viewport: an edge still in view after a load loads on. */
function nearViewport(node) {
  const rect = node.getBoundingClientRect();
  const view = el.scroller.getBoundingClientRect();
  return rect.bottom > view.top - 600 && rect.top < view.bottom + 600;
}

async function loadDown() {
  if (state.loadingDown || state.endReached) return;
  state.loadingDown = true;
  renderStatus();
  try {
    const from = state.high ? state.high + 1 : state.start;
    const data = await get(`/api/documents/${doc.id}/text/${qs({ from, limit: CHUNK })}`);
    for (const page of data.pages || []) {
      if (document.getElementById(`page-${page.number}`)) continue;
      el.pages.append(pageElement(page));
      state.high = Math.max(state.high, page.number);
      state.low = state.low === null ? page.number : Math.min(state.low, page.number);
    }
    state.endReached = data.next_from === null || data.next_from === undefined;
  } catch (error) {
    state.failed = true;
    el.status.textContent = `Could not load the text: ${error.message}`;
  } finally {
    state.loadingDown = false;
    renderStatus();
  }
  if (state.observing && !state.endReached && !state.failed && nearViewport(el.status)) requestAnimationFrame(loadDown);
}

async function loadUp() {
  if (state.loadingUp || state.low === null || state.low <= 1) return;
  state.loadingUp = true;
  renderStatus();
  try {
    const from = Math.max(1, state.low - CHUNK);
    const data = await get(`/api/documents/${doc.id}/text/${qs({ from, limit: state.low - from })}`);
    const fresh = (data.pages || []).filter((page) => page.number < state.low && !document.getElementById(`page-${page.number}`));
    if (fresh.length) {
      // Keep what is on screen where it is while pages arrive above it.
      const before = el.scroller.scrollHeight;
      el.pages.prepend(...fresh.map(pageElement));
      el.scroller.scrollTop += el.scroller.scrollHeight - before;
    }
    state.low = from;
  } catch (error) {
    el.top.textContent = `Could not load earlier pages: ${error.message}`;
  } finally {
    state.loadingUp = false;
    renderStatus();
  }
  if (state.low > 1 && nearViewport(el.top)) requestAnimationFrame(loadUp);
}

function showTarget(number) {
  const page = document.getElementById(`page-${number}`);
  if (!page) return;
  page.classList.add("target");
  const mark = page.querySelector("mark");
  (mark || page).scrollIntoView({ block: mark ? "center" : "start" });
}

async function start() {
  renderHead();
  const wanted = Math.max(1, config.page || 1);
  const available = isFinished(doc) ? doc.pages || wanted : doc.pages_done || 0;
  state.start = wanted <= Math.max(available, 1) ? wanted : 1;
  await loadDown();
  if (wanted > 1 || pattern) showTarget(wanted);
  // Only now, with the page asked for on screen, do the edges load more as they come into view.
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        if (entry.target === el.status) loadDown();
        else loadUp();
      }
    },
    { root: el.scroller, rootMargin: "600px 0px" },
  );
  state.observing = true;
  observer.observe(el.status);
  observer.observe(el.top);
}

pollUnfinished(
  () => (isFinished(doc) ? [] : [doc.id]),
  (fresh) => {
    doc = fresh;
    renderHead();
    if (state.endReached) {
      state.endReached = false;
      loadDown();
    } else renderStatus();
  },
  2000,
);

start();
