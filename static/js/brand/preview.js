// The live preview: the real sign-in page, chat app and invitation e-mail, drawn by the server
// with the form's unsaved values (POST to the preview URL answers a token's frame URLs), in
// sandboxed frames under three tabs. Only the shown frame loads; the others load when chosen.
// A frame is drawn at a desktop or a phone's width and scaled down to fit the column.

import { api } from "../chat/api.js";
import { debounce } from "../chat/util.js";

const DEVICES = {
  desktop: { width: 1024, height: 720 },
  phone: { width: 390, height: 844 },
};

export class Preview {
  /** @param root the preview column; @param opts {url, values(): the form's values} */
  constructor(root, { url, values }) {
    this.root = root;
    this.url = url;
    this.values = values;
    this.urls = null;
    this.loaded = {};
    this.controller = null;
    this.device = "desktop";
    this.tabs = [...root.querySelectorAll('[role="tab"]')];
    this.status = root.querySelector("#preview-status");
    this.schedule = debounce(() => this.refresh(), 400);
    this.tabs.forEach((tab) => {
      tab.addEventListener("click", () => this.select(tab));
      tab.addEventListener("keydown", (event) => this.onTabKey(event, tab));
    });
    for (const button of root.querySelectorAll("[data-device]")) {
      button.addEventListener("click", () => this.setDevice(button.dataset.device));
    }
    for (const stage of root.querySelectorAll("[data-stage]")) {
      const frame = stage.querySelector("iframe");
      frame.addEventListener("load", () => frame.src && stage.classList.remove("is-loading"));
    }
    this.keepFocusOut();
    new ResizeObserver(() => this.fit()).observe(root);
    window.addEventListener("resize", () => this.fit());
    // On a phone, people first want to see their brand on a phone.
    this.setDevice(window.matchMedia("(max-width: 720px)").matches ? "phone" : "desktop");
  }

  /** The chat preview runs the real app, which focuses its composer when it starts. Focus that
   * lands in a frame goes back to where it was, so the keyboard is never lost in a picture. */
  keepFocusOut() {
    let last = null;
    document.addEventListener("focusin", (event) => {
      if (!event.target.matches("iframe")) last = event.target;
    });
    window.addEventListener("blur", () =>
      setTimeout(() => {
        if (document.activeElement?.matches(".preview-frame") && last?.isConnected) last.focus({ preventScroll: true });
      }),
    );
  }

  get surface() {
    return this.selected().id.replace(/^tab-/, "");
  }

  selected() {
    return this.tabs.find((tab) => tab.getAttribute("aria-selected") === "true");
  }

  /** Draw the form as it is now, at once (after an upload or a restore) or after a pause. */
  async refresh() {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    this.root.querySelector(`[data-stage="${this.surface}"]`).classList.add("is-loading");
    try {
      const answer = await api("POST", this.url, this.values(), { signal: controller.signal });
      this.urls = answer.urls;
      this.loaded = {};
      this.load(this.surface);
      this.status.textContent = "Shows the form as it is now, saved or not.";
    } catch (error) {
      if (error.name === "AbortError") return;
      this.root.querySelector(`[data-stage="${this.surface}"]`).classList.remove("is-loading");
      this.status.textContent = `The preview could not be drawn: ${error.message}`;
    }
  }

  load(surface) {
    if (!this.urls || this.loaded[surface] === this.urls[surface]) return;
    const stage = this.root.querySelector(`[data-stage="${surface}"]`);
    stage.classList.add("is-loading");
    stage.querySelector("iframe").src = this.urls[surface];
    this.loaded[surface] = this.urls[surface];
  }

  select(tab, { focus = false } = {}) {
    for (const other of this.tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    this.load(this.surface);
    this.fit();
  }

  onTabKey(event, tab) {
    const index = this.tabs.indexOf(tab);
    const last = this.tabs.length - 1;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.select(this.tabs[(next + this.tabs.length) % this.tabs.length], { focus: true });
  }

  setDevice(device) {
    this.device = device;
    for (const button of this.root.querySelectorAll("[data-device]")) {
      button.setAttribute("aria-pressed", String(button.dataset.device === device));
    }
    this.root.dataset.view = device;
    this.fit();
  }

  /** Scale the shown frame to the column's width (and, on a desktop, the window's height). */
  fit() {
    const stage = this.root.querySelector(`[data-stage="${this.surface}"]`);
    const border = stage.offsetWidth - stage.clientWidth;
    const available = stage.parentElement.clientWidth - border;
    if (available <= 0) return;
    const { width, height } = DEVICES[this.device];
    // Beside the form the column is sticky: the frame, the tabs above and the note below fit the window.
    const sticky = window.matchMedia("(min-width: 1100px)").matches;
    const maxHeight = sticky ? Math.max(320, window.innerHeight - 300) : Infinity;
    const scale = Math.min(1, available / width, maxHeight / height);
    const frame = stage.querySelector("iframe");
    frame.style.width = `${width}px`;
    frame.style.height = `${height}px`;
    frame.style.transform = `scale(${scale})`;
    stage.style.width = `${Math.floor(width * scale)}px`;
    stage.style.height = `${Math.floor(height * scale)}px`;
  }
}
