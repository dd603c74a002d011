// The viewer's extracted text, page by page: what documents other than PDFs show, and what a PDF
// shows when its pages cannot be drawn (protected, damaged). Pages load in chunks as they scroll
// into view, from the page asked for (?page=N, where a search hit points) both ways; the words of
// the search are marked. While the document is being read, new pages join the end as they are done.

import { get, qs } from "../chat/api.js";
import { isFinished, pagesLabel } from "../chat/documents.js";
import { h } from "../chat/util.js";
import { hitRanges, isOcr } from "./viewer_data.js";

const CHUNK = 10;

export function ocrMarker() {
  return h("span", { class: "ocr-marker", title: "This page's text was read from its image, so it may hold mistakes." }, "OCR text");
}

function highlighted(text, pattern) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const [start, end] of hitRanges(text, pattern)) {
    out.append(text.slice(last, start), h("mark", {}, text.slice(start, end)));
    last = end;
  }
  out.append(text.slice(last));
  return out;
}

/** The text view in `pages` (an <ol>), with status lines `status` (below) and `top` (above).
 * `doc()` gives the newest copy of the document. Returns {start, documentChanged}. */
export function textView({ doc, pages, status, top, scroller, pattern, wanted }) {
  const state = { low: null, high: 0, endReached: false, loadingDown: false, loadingUp: false, failed: false, observing: false };

  function pageElement(page) {
    const total = doc().pages ? ` of ${doc().pages}` : "";
    let body;
    if (page.error) body = h("p", { class: "doc-page-empty" }, "This page could not be read.");
    else if (!page.text || !page.text.trim()) body = h("p", { class: "doc-page-empty" }, "This page has no text.");
    else body = h("div", { class: "doc-page-text" }, highlighted(page.text.replace(/\f/g, "").replace(/\n{3,}/g, "\n\n").trim(), pattern));
    return h(
      "li",
      { class: "doc-page", id: `page-${page.number}`, "data-page": page.number, "aria-labelledby": `page-${page.number}-title` },
      h(
        "header",
        { class: "doc-page-head" },
        h("h2", { id: `page-${page.number}-title` }, h("a", { href: `#page-${page.number}` }, `Page ${page.number}`)),
        isOcr(page) ? ocrMarker() : null,
        h("span", {}, `${page.number}${total}`),
      ),
      body,
    );
  }

  function renderStatus() {
    if (state.failed) return;
    const d = doc();
    let text = "";
    if (state.loadingDown) text = "Loading pages…";
    else if (!state.endReached) text = "";
    else if (!isFinished(d)) text = "Reading the document… its pages appear here as they are read.";
    else if (d.status === "failed" && !state.high) text = d.error || "This document could not be read.";
    else if (!state.high) text = "This document has no text.";
    else text = `End of the document · ${pagesLabel(d.pages || state.high)}`;
    status.textContent = text;
    top.textContent = state.loadingUp ? "Loading earlier pages…" : "";
  }

  /** Within a screen of the viewport: an edge still in view after a load loads on. */
  function nearViewport(node) {
    const rect = node.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    return rect.bottom > view.top - 600 && rect.top < view.bottom + 600;
  }

  async function loadDown() {
    if (state.loadingDown || state.endReached) return;
    state.loadingDown = true;
    renderStatus();
    try {
      const from = state.high ? state.high + 1 : state.start;
      const data = await get(`/api/documents/${doc().id}/text/${qs({ from, limit: CHUNK })}`);
      for (const page of data.pages || []) {
        if (pages.querySelector(`#page-${page.number}`)) continue;
        pages.append(pageElement(page));
        state.high = Math.max(state.high, page.number);
        state.low = state.low === null ? page.number : Math.min(state.low, page.number);
      }
      state.endReached = data.next_from === null || data.next_from === undefined;
    } catch (error) {
      if (error.status === 404 && state.high) state.endReached = true;
      else {
        state.failed = true;
        status.textContent = `Could not load the text: ${error.message}`;
      }
    } finally {
      state.loadingDown = false;
      renderStatus();
    }
    if (state.observing && !state.endReached && !state.failed && nearViewport(status)) requestAnimationFrame(loadDown);
  }

  async function loadUp() {
    if (state.loadingUp || state.low === null || state.low <= 1) return;
    state.loadingUp = true;
    renderStatus();
    try {
      const from = Math.max(1, state.low - CHUNK);
      const data = await get(`/api/documents/${doc().id}/text/${qs({ from, limit: state.low - from })}`);
      const fresh = (data.pages || []).filter((page) => page.number < state.low && !pages.querySelector(`#page-${page.number}`));
      if (fresh.length) {
        // Keep what is on screen where it is while pages arrive above it.
        const before = scroller.scrollHeight;
        pages.prepend(...fresh.map(pageElement));
        scroller.scrollTop += scroller.scrollHeight - before;
      }
      state.low = from;
    } catch (error) {
      top.textContent = `Could not load earlier pages: ${error.message}`;
    } finally {
      state.loadingUp = false;
      renderStatus();
    }
    if (state.low > 1 && nearViewport(top)) requestAnimationFrame(loadUp);
  }

  function showTarget(number) {
    const page = pages.querySelector(`#page-${number}`);
    if (!page) return;
    page.classList.add("target");
    const mark = page.querySelector("mark");
    (mark || page).scrollIntoView({ block: mark ? "center" : "start" });
  }

  async function start() {
    const d = doc();
    const available = isFinished(d) ? d.pages || wanted : d.pages_done || 0;
    state.start = wanted <= Math.max(available, 1) ? wanted : 1;
    pages.hidden = false;
    status.hidden = false;
    await loadDown();
    if (wanted > 1 || pattern) showTarget(wanted);
    // Only now, with the page asked for on screen, do the edges load more as they come into view.
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          if (entry.target === status) loadDown();
          else loadUp();
        }
      },
      { root: scroller, rootMargin: "600px 0px" },
    );
    state.observing = true;
    observer.observe(status);
    observer.observe(top);
  }

  /** The document moved on (more pages read): load them if the end was reached. */
  function documentChanged() {
    if (state.endReached) {
      state.endReached = false;
      loadDown();
    } else renderStatus();
  }

  return { start, documentChanged };
}
