// A PDF's pages drawn with pdf.js (vendored, static/vendor/pdfjs-dist): every page has its box from
// the start, so the scroll bar is the document's, but only the pages on screen or near it hold a
// canvas and a text layer (a 300-page PDF never holds 300 canvases). The text layer lies over the
// canvas, so text can be selected and copied, and carries the marks of the search's hits.

import { h } from "../chat/util.js";
import { CSS_UNITS, countHits, fitWidthZoom, hitRanges, pagesToKeep } from "./viewer_data.js";

// Pages kept drawn beyond those on screen, nearest first.
const KEEP_DRAWN = 8;
// A canvas holds at most this many pixels (browsers refuse larger ones): high zooms on dense
// screens draw at a lower resolution instead of failing.
const MAX_CANVAS_PIXELS = 16_000_000;
// Room beside a page fitted to the width (its shadow shows).
const GUTTER = 4;

let pdfjs = null;

/** pdf.js, imported once, told where its worker, character maps and fonts are. */
async function loadPdfjs(assets) {
  if (!pdfjs) {
    pdfjs = await import(assets.module);
    pdfjs.GlobalWorkerOptions.workerSrc = assets.worker;
  }
  return pdfjs;
}

export class PdfView {
  /** `list` is the <ol> that takes the pages, inside the scrolling `scroller`. */
  constructor({ list, scroller, assets, onPageChange = () => {}, onVisible = () => {}, onZoom = () => {} }) {
    Object.assign(this, { list, scroller, assets, onPageChange, onVisible, onZoom });
    this.mode = "fit"; // or a number: the zoom chosen with the buttons or keys
    this.zoom = 1;
    this.sizes = []; // [n] = {width, height} in points; the first page's size until a page is loaded
    this.items = []; // [n] = {li, sheet, canvas, layer, zoom, task, strings}
    this.texts = new Map(); // n -> the page's text content (pdf.js), kept for search
    this.visible = new Set();
    this.pattern = null;
    this.current = 1;
    this.queue = Promise.resolve();
  }

  /** Fetch and open the PDF; `onProgress(fraction or null)` follows the download. Throws what
   * pdf.js throws (PasswordException, InvalidPDFException...). */
  async open(url, onProgress) {
    const lib = await loadPdfjs(this.assets);
    // No `onPassword`: a protected PDF then fails with PasswordException (no password can be typed here).
    const task = lib.getDocument({
      url,
      cMapUrl: this.assets.cmaps,
      cMapPacked: true,
      standardFontDataUrl: this.assets.fonts,
      isEvalSupported: false,
    });
    task.onProgress = ({ loaded, total }) => onProgress(total ? Math.min(1, loaded / total) : null);
    this.task = task;
    this.pdf = await task.promise;
    this.count = this.pdf.numPages;
    const first = await this.pdf.getPage(1);
    const base = first.getViewport({ scale: 1 });
    for (let n = 1; n <= this.count; n++) this.sizes[n] = { width: base.width, height: base.height };
    this.zoom = this.fitZoom();
    this.build();
    // The pages may have brought a scroll bar that narrows the list: fit again.
    if (Math.abs(this.fitZoom() - this.zoom) > 0.001) this.setZoom("fit");
    return this.count;
  }

  fitZoom() {
    return fitWidthZoom(this.list.clientWidth - 2 * GUTTER, this.sizes[1].width);
  }

  build() {
    const frag = document.createDocumentFragment();
    for (let n = 1; n <= this.count; n++) {
      const sheet = h("div", { class: "pdf-sheet", "data-state": "waiting" });
      const li = h(
        "li",
        { class: "pdf-page", id: `page-${n}`, "data-page": n, "aria-labelledby": `page-${n}-title` },
        h("header", { class: "doc-page-head pdf-page-head" }, h("h2", { id: `page-${n}-title` }, `Page ${n}`)),
        sheet,
      );
      this.items[n] = { li, sheet, canvas: null, layer: null, zoom: null, task: null };
      this.size(n);
      frag.append(li);
    }
    this.list.replaceChildren(frag);
    this.observer = new IntersectionObserver((entries) => this.seen(entries), { root: this.scroller, rootMargin: "100% 0px" });
    for (let n = 1; n <= this.count; n++) this.observer.observe(this.items[n].li);
    this.scroller.addEventListener("scroll", () => this.trackCurrent(), { passive: true });
    window.addEventListener("resize", () => this.mode === "fit" && this.setZoom("fit"));
  }

  /** The page box at the current zoom (the canvas and text layer scale with it). */
  size(n) {
    const { sheet } = this.items[n];
    const { width, height } = this.sizes[n];
    const scale = this.zoom * CSS_UNITS;
    sheet.style.width = `${Math.floor(width * scale)}px`;
    sheet.style.height = `${Math.floor(height * scale)}px`;
    sheet.style.setProperty("--scale-factor", String(scale));
  }

  seen(entries) {
    for (const entry of entries) {
      const n = Number(entry.target.dataset.page);
      if (entry.isIntersecting) this.visible.add(n);
      else this.visible.delete(n);
    }
    this.onVisible([...this.visible]);
    this.update();
    this.trackCurrent();
  }

  /** Draw the pages near the screen that are not drawn at this zoom; let go of far ones. */
  update() {
    const wanted = [...this.visible].sort((a, b) => Math.abs(a - this.current) - Math.abs(b - this.current));
    for (const n of wanted) {
      if (this.items[n].zoom !== this.zoom && !this.items[n].task) this.draw(n);
    }
    const drawn = [];
    for (let n = 1; n <= this.count; n++) if (this.items[n].canvas) drawn.push(n);
    const keep = pagesToKeep(drawn, this.visible, this.current, this.visible.size + KEEP_DRAWN);
    for (const n of drawn) if (!keep.has(n)) this.release(n);
  }

  /** Draw page `n`, one page after another (two canvases at once would only halve each). */
  draw(n) {
    const item = this.items[n];
    const zoom = this.zoom;
    const marker = {};
    item.task = marker;
    const run = this.queue.then(() => this.drawNow(n, zoom, marker)).catch((error) => this.failed(n, error, marker));
    this.queue = run;
    return run;
  }

  async drawNow(n, zoom, marker) {
    const item = this.items[n];
    if (item.task !== marker) return;
    if (zoom !== this.zoom || !this.visible.has(n)) {
      item.task = null; // moved on while it waited: the next update decides again
      return;
    }
    const page = await this.pdf.getPage(n);
    const natural = page.getViewport({ scale: 1 });
    this.sizes[n] = { width: natural.width, height: natural.height };
    this.size(n);
    const viewport = page.getViewport({ scale: zoom * CSS_UNITS });
    const density = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / (viewport.width * viewport.height)));
    const canvas = h("canvas", { class: "pdf-canvas", "aria-hidden": "true" });
    canvas.width = Math.floor(viewport.width * density);
    canvas.height = Math.floor(viewport.height * density);
    const render = page.render({
      canvasContext: canvas.getContext("2d", { alpha: false }),
      viewport,
      transform: density === 1 ? null : [density, 0, 0, density, 0, 0],
    });
    item.render = render;
    await render.promise;
    item.render = null;
    const text = await this.textOf(n, page);
    const layer = h("div", { class: "textLayer" });
    const textLayer = new pdfjs.TextLayer({ textContentSource: text, container: layer, viewport });
    await textLayer.render();
    if (item.task !== marker) return;
    // Swapped in whole, so a page being redrawn at a new zoom never shows blank meanwhile.
    item.canvas?.remove();
    item.layer?.remove();
    item.sheet.append(canvas, layer);
    Object.assign(item, { canvas, layer, zoom, task: null, textLayer });
    item.sheet.dataset.state = "drawn";
    this.mark(n);
  }

  failed(n, error, marker) {
    const item = this.items[n];
    if (item.task !== marker) return; // superseded (a new zoom, released): that draw decides
    item.task = null;
    item.render = null;
    if (error && error.name === "RenderingCancelledException") return;
    item.sheet.dataset.state = "failed";
    item.sheet.replaceChildren(h("p", { class: "pdf-page-error" }, "This page could not be drawn."));
    item.canvas = null;
    item.layer = null;
    item.zoom = this.zoom;
  }

  release(n) {
    const item = this.items[n];
    item.render?.cancel();
    item.canvas?.remove();
    item.layer?.remove();
    Object.assign(item, { canvas: null, layer: null, textLayer: null, zoom: null, task: null, render: null });
    item.sheet.dataset.state = "waiting";
  }

  /** The page's text content as pdf.js reads it, the same for the text layer and the search. */
  async textOf(n, page = null) {
    if (!this.texts.has(n)) this.texts.set(n, (page || (await this.pdf.getPage(n))).getTextContent());
    return this.texts.get(n);
  }

  /** The page most in view: the one across the upper third of the scroller. */
  trackCurrent() {
    if (this.tracking) return;
    this.tracking = requestAnimationFrame(() => {
      this.tracking = null;
      const view = this.scroller.getBoundingClientRect();
      const line = view.top + view.height / 3;
      let best = this.current;
      for (const n of this.visible) {
        const rect = this.items[n].li.getBoundingClientRect();
        if (rect.top <= line && rect.bottom >= line) best = n;
      }
      if (best !== this.current) {
        this.current = best;
        this.onPageChange(best);
      }
    });
  }

  /** `zoom` a number, or "fit" for the width of the screen. The page in view stays in view. */
  setZoom(zoom) {
    const anchor = this.items[this.current].li;
    const onScreen = anchor.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top;
    const fraction = onScreen < 0 ? -onScreen / anchor.offsetHeight : 0;
    this.mode = zoom;
    this.zoom = zoom === "fit" ? this.fitZoom() : zoom;
    for (let n = 1; n <= this.count; n++) {
      this.size(n);
      this.items[n].render?.cancel();
      this.items[n].task = null;
    }
    const top = anchor.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top + this.scroller.scrollTop;
    this.scroller.scrollTop = top + fraction * anchor.offsetHeight - Math.max(onScreen, 0);
    this.update();
    this.onZoom(this.zoom, this.mode);
    return this.zoom;
  }

  goTo(n, block = "start") {
    this.current = n;
    this.items[n].li.scrollIntoView({ block });
    this.onPageChange(n);
  }

  /** Mark the words of `pattern` on the drawn pages (and on those drawn later). */
  highlight(pattern) {
    this.pattern = pattern;
    this.currentHit = null;
    for (let n = 1; n <= this.count; n++) if (this.items[n].layer) this.mark(n);
  }

  mark(n) {
    const { textLayer } = this.items[n];
    if (!textLayer) return;
    const strings = textLayer.textContentItemsStr;
    textLayer.textDivs.forEach((div, i) => {
      const text = strings[i] ?? "";
      const ranges = hitRanges(text, this.pattern);
      if (!ranges.length && !div.querySelector("mark")) return;
      const parts = [];
      let last = 0;
      for (const [start, end] of ranges) {
        parts.push(text.slice(last, start), h("mark", { class: "hit" }, text.slice(start, end)));
        last = end;
      }
      parts.push(text.slice(last));
      div.replaceChildren(...parts);
    });
    // A page drawn again (zoom) keeps the hit being shown as the current one.
    if (this.currentHit && this.currentHit.page === n) {
      const marks = this.items[n].li.querySelectorAll("mark.hit");
      marks[Math.min(this.currentHit.index, marks.length - 1)]?.classList.add("current");
    }
  }

  /** Every hit of `pattern` in the document, [{page, index}] in order; reads each page's text
   * once. `stillWanted()` false stops early (a newer search began). */
  async findAll(pattern, stillWanted) {
    const hits = [];
    for (let n = 1; n <= this.count; n++) {
      if (!stillWanted()) return null;
      const text = await this.textOf(n);
      const count = countHits(
        text.items.map((item) => item.str ?? ""),
        pattern,
      );
      for (let index = 0; index < count; index++) hits.push({ page: n, index });
    }
    return hits;
  }

  /** Scroll to a hit, drawing its page first; the hit is marked as the current one. */
  async showHit(hit) {
    for (const mark of this.list.querySelectorAll("mark.current")) mark.classList.remove("current");
    this.currentHit = hit;
    const item = this.items[hit.page];
    this.goTo(hit.page);
    await this.ensureDrawn(hit.page);
    const marks = item.li.querySelectorAll("mark.hit");
    const mark = marks[Math.min(hit.index, marks.length - 1)];
    if (mark) {
      mark.classList.add("current");
      mark.scrollIntoView({ block: "center", inline: "nearest" });
    }
    return mark || null;
  }

  /** Draw page `n` now if it is not drawn at this zoom (a hit or a jump wants it at once). */
  async ensureDrawn(n) {
    const item = this.items[n];
    this.visible.add(n);
    if (item.canvas && item.zoom === this.zoom && !item.task) return;
    await this.draw(n);
  }

  /** Put `node` (the OCR marker) into page `n`'s head. */
  addToHead(n, node) {
    const head = this.items[n]?.li.querySelector(".pdf-page-head");
    if (head && !head.querySelector(`.${node.className.split(" ")[0]}`)) head.append(node);
  }
}
