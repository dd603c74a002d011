// /settings/brand/: the brand studio. Wires the form's parts (fields, colours, images) to the
// draft's state, saves the changes ("Save draft": PATCH with what changed), publishes, restores
// from the history, and keeps the preview drawing the form as it is. The page embeds the draft,
// the first page of the history and the URLs as `studio-state`.

import { get, patch, post } from "../chat/api.js";
import { ColourFields } from "./colours.js";
import { FormFields } from "./fields.js";
import { History } from "./history.js";
import { ImageCards } from "./images.js";
import { Preview } from "./preview.js";
import { COLOUR_FIELDS, DraftState } from "./state.js";

const $ = (id) => document.getElementById(id);
const boot = JSON.parse($("studio-state").textContent);
const API = boot.urls.api;
const root = $("brand-studio");
const form = $("studio-form");
const saveButton = $("save-draft");
const publishButton = $("publish");

const state = new DraftState(boot.draft);
let saving = false;
let publishing = false;

// ---------- Parts ----------

function edited(name, value) {
  state.set(name, value);
  renderStatus();
  preview.schedule();
}

const fields = new FormFields(form, { onChange: edited });
const colours = new ColourFields(form, {
  api: API,
  current: () => state.colours(),
  onChange: edited,
  onKeep: () => save({ acceptLowContrast: true }),
});
const images = new ImageCards($("image-cards"), {
  api: API,
  labels: boot.labels,
  onChanged: (draft) => {
    state.accept(draft);
    images.render(draft.images);
    renderStatus();
    preview.refresh();
  },
});
const preview = new Preview($("studio-preview"), { url: boot.urls.preview, values: () => state.previewValues() });
const history = new History($("studio-history"), {
  api: API,
  confirm: confirmDialog,
  isDirty: () => state.dirty,
  onRestored: (draft) => {
    state.reset(draft);
    drawAll();
    note(`Version ${draft.published_version} is live: the restored brand, published again.`, "success");
    preview.refresh();
  },
});

function drawAll() {
  const draft = state.draft;
  fields.clearErrors();
  colours.showRefusal(null);
  fields.fill(state.current);
  fields.setMayHidePoweredBy(draft.may_hide_powered_by);
  colours.fill(state.current, draft.palette);
  images.render(draft.images);
  renderStatus();
}

// ---------- Status and notes ----------

function renderStatus() {
  const draft = state.draft;
  const dirty = state.dirty;
  let text;
  let kind = "saved";
  if (saving) {
    text = "Saving…";
    kind = "busy";
  } else if (publishing) {
    text = "Publishing…";
    kind = "busy";
  } else if (dirty) {
    text = "Unsaved changes";
    kind = "dirty";
  } else if (draft.published_version === null) {
    text = "All changes saved. Nothing is published yet.";
    kind = "draft";
  } else if (draft.unpublished_changes) {
    text = `All changes saved. Draft differs from the published version ${draft.published_version}.`;
    kind = "draft";
  } else {
    text = `All changes saved. Version ${draft.published_version} is live.`;
  }
  const line = $("studio-status-text");
  if (line.textContent !== text) line.textContent = text;
  $("studio-status").dataset.kind = kind;
  saveButton.disabled = saving || publishing || !dirty;
  publishButton.disabled = saving || publishing;
}

/** A sentence above the form: "success", "info" (calm) or "error". */
function note(text, kind = "info") {
  const box = $("studio-note");
  box.textContent = text || "";
  box.className = `alert studio-note${{ success: " alert-success", error: " alert-error" }[kind] || ""}`;
  box.hidden = !text;
}

function confirmDialog({ title, text, ok }) {
  const dialog = $("studio-confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

// ---------- Saving and publishing ----------

/** A refusal at its field; true when it found one. */
function showRefusal(error) {
  const body = error.data || {};
  if (body.code === "low_contrast") {
    colours.showRefusal(body);
    fields.focus(body.field);
    return true;
  }
  if (body.field && fields.setError(body.field, body)) {
    fields.focus(body.field);
    return true;
  }
  return false;
}

/** Send what changed; true when the draft holds the form's values. */
async function save({ acceptLowContrast = false } = {}) {
  const sent = state.changes;
  if (!Object.keys(sent).length) return true;
  saving = true;
  renderStatus();
  note("");
  try {
    const body = acceptLowContrast ? { ...sent, accept_low_contrast: true } : sent;
    const draft = await patch(`${API}draft/`, body);
    const redraw = state.accept(draft, sent);
    const values = Object.fromEntries(redraw.map((name) => [name, state.current[name]]));
    fields.fill(values);
    if (redraw.some((name) => COLOUR_FIELDS.includes(name))) colours.fill(state.current);
    colours.showRefusal(null);
    return true;
  } catch (error) {
    if (!showRefusal(error)) note(`The draft could not be saved: ${error.message}`, "error");
    return false;
  } finally {
    saving = false;
    renderStatus();
  }
}

async function publish() {
  const next = (state.draft.published_version || 0) + 1;
  const ok = await confirmDialog({
    title: "Publish the brand?",
    text:
      `The draft becomes version ${next}: every page, e-mail and icon of the workspace shows it at once.` +
      (state.dirty ? " Your unsaved changes are saved first." : ""),
    ok: "Publish",
  });
  if (!ok || !(await save())) return;
  publishing = true;
  renderStatus();
  note("");
  try {
    const version = await post(`${API}publish/`);
    note(`Version ${version.version} is live. Everyone sees the new brand from their next page.`, "success");
    state.accept(await get(`${API}draft/`));
    await history.reload(version.version);
  } catch (error) {
    if (error.status === 409 && error.code === "unchanged") note(error.message, "info");
    else note(`The brand could not be published: ${error.message}`, "error");
  } finally {
    publishing = false;
    renderStatus();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
publishButton.addEventListener("click", publish);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (state.dirty || saving) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// ---------- Start ----------

drawAll();
history.show(boot.versions, boot.next_before, boot.draft.published_version);
preview.refresh();
root.dataset.state = "ready";
