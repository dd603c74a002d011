// The draft's images: each kind's card shows the current image (on a checkerboard, or a dark tile
// for the dark-mode variants), uploads a file chosen or dropped on it with a progress bar, and
// removes it. Both save to the draft at once; the server's answer is the whole draft.

import { patch, postForm } from "../chat/api.js";
import { bindDropZone, bindPicker } from "../chat/uploads.js";

const FALLBACK_ERRORS = {
  400: "This image could not be read. Try another file.",
  413: "This image is too large to upload.",
  415: "Upload a PNG, JPEG, WebP or SVG image.",
  429: "Too many uploads. Wait a moment and try again.",
};
const TYPE_NAMES = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/svg+xml": "SVG" };
// What each kind falls back on when it has no image, as people see it.
const EMPTY = {
  logo: "None yet: pages show the icon and the name.",
  logo_dark: "None yet: the wordmark is used.",
  icon: "None yet: a letter in the primary colour.",
  icon_dark: "None yet: the icon is used.",
  login_background: "None yet: a soft wash of the primary colour.",
};

function isImage(file) {
  return !file.type || file.type.startsWith("image/");
}

export class ImageCards {
  /** @param root the cards' container; @param opts {api, labels, onChanged(draft), onBusy(bool)} */
  constructor(root, { api, labels, onChanged, onBusy = () => {} }) {
    this.api = api;
    this.labels = labels;
    this.onChanged = onChanged;
    this.onBusy = onBusy;
    this.busy = new Set();
    this.cards = {};
    for (const card of root.querySelectorAll("[data-kind]")) {
      const kind = card.dataset.kind;
      this.cards[kind] = card;
      const input = card.querySelector("input[type=file]");
      bindPicker(card.querySelector("[data-upload]"), input, (files) => this.upload(kind, files[0]));
      bindDropZone(card, (files) => this.upload(kind, files[0]), () => !this.busy.has(kind));
      card.querySelector("[data-remove]").addEventListener("click", () => this.remove(kind));
    }
  }

  /** Draw every card from the draft's `images` ({kind: {url, width, height, content_type} | null}). */
  render(images) {
    for (const [kind, card] of Object.entries(this.cards)) {
      const image = images[kind];
      const img = card.querySelector("[data-thumb] img");
      const empty = card.querySelector(".image-empty");
      if (image) {
        if (img.getAttribute("src") !== image.url) img.src = image.url;
        img.alt = `Current ${this.labels[kind].toLowerCase()}`;
        img.hidden = false;
        empty.hidden = true;
        const type = TYPE_NAMES[image.content_type] || image.content_type;
        card.querySelector("[data-meta]").textContent = `${image.width} × ${image.height} px · ${type}`;
      } else {
        img.hidden = true;
        img.removeAttribute("src");
        empty.hidden = false;
        card.querySelector("[data-meta]").textContent = EMPTY[kind] || "";
      }
      card.classList.toggle("has-image", Boolean(image));
      card.querySelector("[data-remove]").hidden = !image;
      const upload = card.querySelector("[data-upload]");
      upload.textContent = image ? "Replace…" : "Upload…";
      upload.setAttribute("aria-label", `${image ? "Replace" : "Upload"} the ${this.labels[kind].toLowerCase()}`);
    }
  }

  setBusy(kind, busy) {
    if (busy) this.busy.add(kind);
    else this.busy.delete(kind);
    const card = this.cards[kind];
    card.classList.toggle("is-busy", busy);
    for (const button of card.querySelectorAll("button")) button.disabled = busy;
    this.onBusy(this.busy.size > 0);
  }

  showError(kind, text) {
    const box = this.cards[kind].querySelector(".field-error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  progress(kind, fraction, text) {
    const bar = this.cards[kind].querySelector("[data-progress]");
    bar.hidden = fraction === null;
    if (fraction === null) return;
    bar.querySelector("progress").value = Math.round(fraction * 100);
    if (text !== undefined) bar.querySelector("span").textContent = text;
  }

  async upload(kind, file) {
    if (!file || this.busy.has(kind)) return;
    const label = this.labels[kind];
    this.showError(kind, "");
    if (!isImage(file)) {
      this.showError(kind, `“${file.name}” is not an image. Upload a PNG, JPEG, WebP or SVG image.`);
      return;
    }
    const form = new FormData();
    form.append("kind", kind);
    form.append("file", file, file.name);
    this.setBusy(kind, true);
    this.progress(kind, 0, `Uploading ${label.toLowerCase()}…`);
    let lastShown = 0;
    const onProgress = (fraction) => {
      const percent = Math.round(fraction * 100);
      // The bar moves with every event; the spoken text only every quarter.
      const text = percent >= lastShown + 25 || percent === 100 ? `Uploading ${label.toLowerCase()}: ${percent}%` : undefined;
      if (text) lastShown = percent;
      this.progress(kind, fraction, text);
    };
    try {
      const draft = await postForm(`${this.api}draft/assets/`, form, { onProgress, fallbacks: FALLBACK_ERRORS }).promise;
      this.progress(kind, 1, `${label} uploaded.`);
      this.onChanged(draft);
      setTimeout(() => this.busy.has(kind) || this.progress(kind, null), 1500);
    } catch (error) {
      this.progress(kind, null);
      this.showError(kind, error.message);
    } finally {
      this.setBusy(kind, false);
    }
  }

  async remove(kind) {
    this.showError(kind, "");
    this.setBusy(kind, true);
    let removed = false;
    try {
      this.onChanged(await patch(`${this.api}draft/`, { assets: { [kind]: null } }));
      removed = true;
    } catch (error) {
      this.showError(kind, error.message);
    } finally {
      this.setBusy(kind, false);
    }
    // The Remove button is gone: focus stays in the card.
    if (removed) this.cards[kind].querySelector("[data-upload]").focus();
  }
}
