// The viewer, /documents/<id>/?page=N&q=words: a document's facts and status, and the document
// itself. A PDF is drawn page by page with pdf.js (pdf_view.js) under a toolbar: page box, zoom,
// find with next and previous. Other documents, and a PDF that cannot be drawn (protected,
// damaged), show their extracted text (text_view.js). `page` and `q` come from a search hit:
// the viewer opens at that page with the words marked.

import { get, qs } from "../chat/api.js";
import { formatSize, isFinished, kindLabel, pollUnfinished, remember, statusElement } from "../chat/documents.js";
import { formatFull, h } from "../chat/util.js";
import { bindConfirmDialog, confirmDelete, leaveNotice } from "./delete.js";
import { PdfView } from "./pdf_view.js";
import { ocrMarker, textView } from "./text_view.js";
import { firstHitFrom, hitLabel, isOcr, nextZoom, parsePageJump, renderFailure, searchPattern, stepHit, zoomLabel } from "./viewer_data.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("documents-config").textContent);
const scroller = $("scroller");
const OCR_CHUNK = 20;

let doc = remember(config.document);
const wanted = Math.max(1, config.page || 1);

function fact(label, value) {
  return value ? h("div", {}, h("dt", {}, label), h("dd", {}, value)) : null;
}

function renderHead() {
  const head = $("viewer-head");
  head.dataset.status = doc.status;
  const icon = head.querySelector(".doc-icon");
  icon.textContent = kindLabel(doc);
  icon.dataset.kind = kindLabel(doc).toLowerCase();
  const mine = doc.uploader && doc.uploader.id === config.me.id;
  $("viewer-facts").replaceChildren(
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
  $("viewer-progress").replaceChildren(statusElement(doc));
}

// ---------- The extracted text (other documents, or a PDF that cannot be drawn) ----------

let text = null;

function showText(pattern) {
  const top = h("p", { class: "viewer-status-line viewer-top", id: "viewer-top", "aria-live": "polite" });
  $("viewer-pages").before(top);
  text = textView({ doc: () => doc, pages: $("viewer-pages"), status: $("viewer-status"), top, scroller, pattern, wanted });
  text.start();
}

// ---------- The PDF ----------

const find = { query: "", hits: [], current: -1, run: 0 };

function loading(fraction) {
  const bar = $("pdf-loading-bar");
  if (fraction === null) bar.removeAttribute("value");
  else bar.value = fraction;
  $("pdf-loading-text").textContent = fraction === null ? "Loading the PDF…" : `Loading the PDF… ${Math.round(fraction * 100)}%`;
}

async function showPdf() {
  const view = new PdfView({
    list: $("pdf-pages"),
    scroller,
    assets: { ...$("pdf-assets").dataset },
    onPageChange: (n) => {
      if (document.activeElement !== $("page-input")) $("page-input").value = String(n);
    },
    onVisible: (pages) => ocrFlags(view, pages),
    // Any change of zoom (the buttons, the keys, a fitted page when the window resizes).
    onZoom: (zoom, mode) => {
      $("zoom-level").textContent = zoomLabel(zoom);
      $("zoom-fit").setAttribute("aria-pressed", mode === "fit" ? "true" : "false");
    },
  });
  loading(null);
  let count;
  try {
    count = await view.open(doc.download_url, loading);
  } catch (error) {
    $("pdf-loading").hidden = true;
    $("pdf-error").hidden = false;
    // The text below is what extraction read; a PDF it could not read either says why there.
    const fallback = doc.status === "failed" ? "" : " Its extracted text is shown below instead.";
    $("pdf-error").textContent = `${renderFailure(error)}${fallback}`;
    showText(searchPattern(config.q));
    return;
  }
  $("pdf-loading").hidden = true;
  $("viewer-toolbar").hidden = false;
  $("page-total").textContent = `of ${count}`;
  bindToolbar(view, count);
  $("zoom-level").textContent = zoomLabel(view.zoom);
  const start = Math.min(wanted, count);
  // The page a link asked for (a search hit's) is marked, as in the text view.
  if (config.page > 1 || config.q) $(`page-${start}`).classList.add("target");
  view.goTo(start);
  if (config.q) await search(view, config.q, start);
}

/** Run the search of `query`: mark its words, count its hits, go to the first from `fromPage`. */
async function search(view, query, fromPage) {
  const run = ++find.run;
  const pattern = searchPattern(query);
  find.query = query;
  find.hits = [];
  find.current = -1;
  view.highlight(pattern);
  $("find-count").textContent = pattern ? "Searching…" : "";
  if (!pattern) return;
  const hits = await view.findAll(pattern, () => run === find.run);
  if (hits === null) return;
  find.hits = hits;
  if (hits.length) {
    find.current = firstHitFrom(hits, fromPage);
    await view.showHit(hits[find.current]);
  }
  $("find-count").textContent = hitLabel(hits.length, find.current, true);
}

async function step(view, direction) {
  if (!find.hits.length) return;
  find.current = stepHit(find.hits.length, find.current, direction);
  $("find-count").textContent = hitLabel(find.hits.length, find.current, true);
  await view.showHit(find.hits[find.current]);
}

function bindToolbar(view, count) {
  const message = $("page-message");
  const input = $("page-input");
  $("page-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const jump = parsePageJump(input.value, count);
    message.hidden = !jump.error;
    message.textContent = jump.error || "";
    input.setAttribute("aria-invalid", jump.error ? "true" : "false");
    if (jump.error) return;
    view.goTo(jump.page);
    view.ensureDrawn(jump.page);
  });
  input.addEventListener("input", () => {
    message.hidden = true;
    input.removeAttribute("aria-invalid");
  });
  $("zoom-in").addEventListener("click", () => view.setZoom(nextZoom(view.zoom, 1)));
  $("zoom-out").addEventListener("click", () => view.setZoom(nextZoom(view.zoom, -1)));
  $("zoom-fit").addEventListener("click", () => view.setZoom("fit"));
  const findInput = $("find-input");
  $("find-form").addEventListener("submit", (event) => event.preventDefault());
  findInput.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (findInput.value.trim() !== find.query) search(view, findInput.value.trim(), view.current);
    else step(view, event.shiftKey ? -1 : 1);
  });
  findInput.addEventListener("search", () => !findInput.value && search(view, "", 1)); // the clear button
  $("find-next").addEventListener("click", () => (findInput.value.trim() !== find.query ? search(view, findInput.value.trim(), view.current) : step(view, 1)));
  $("find-prev").addEventListener("click", () => step(view, -1));
  // + and - zoom, as in every reader, unless someone is typing.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "+" || event.key === "=") view.setZoom(nextZoom(view.zoom, 1));
    else if (event.key === "-" || event.key === "_") view.setZoom(nextZoom(view.zoom, -1));
    else return;
    event.preventDefault();
  });
}

// Which pages' text came from OCR: asked of the text API for the pages coming into view, a
// chunk at a time, each chunk once.
const ocrAsked = new Set();

async function ocrFlags(view, pages) {
  for (const chunk of new Set(pages.map((n) => Math.floor((n - 1) / OCR_CHUNK)))) {
    if (ocrAsked.has(chunk)) continue;
    ocrAsked.add(chunk);
    try {
      const data = await get(`/api/documents/${doc.id}/text/${qs({ from: chunk * OCR_CHUNK + 1, limit: OCR_CHUNK })}`);
      for (const page of data.pages || []) if (isOcr(page)) view.addToHead(page.number, ocrMarker());
    } catch {
      ocrAsked.delete(chunk); // asked again when the pages come back into view
    }
  }
}

// ---------- Delete ----------

function bindDelete() {
  const button = $("delete-btn");
  if (!button) return;
  bindConfirmDialog();
  button.addEventListener("click", async () => {
    if (!(await confirmDelete(doc))) return;
    leaveNotice(`“${doc.name}” was deleted.`);
    window.location.assign("/documents/");
  });
}

renderHead();
bindDelete();
pollUnfinished(
  () => (isFinished(doc) ? [] : [doc.id]),
  (fresh) => {
    doc = fresh;
    renderHead();
    text?.documentChanged();
    ocrAsked.clear(); // pages read since may have come from OCR

  },
  2000,
);
if ($("pdf-assets")) showPdf();
else showText(searchPattern(config.q));
