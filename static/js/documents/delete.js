// Deleting a document, from the list and from the viewer: the product's confirmation dialog
// (templates/documents/page.html, #doc-confirm), which stays open while the delete runs and shows
// why it failed (a message still carries the document, say) until the person cancels.

import { del } from "../chat/api.js";

const $ = (id) => document.getElementById(id);

/** Ask to delete `doc`; resolves true once it is deleted, false when the person cancels. */
export function confirmDelete(doc) {
  const dialog = $("doc-confirm");
  const ok = $("doc-confirm-ok");
  const error = $("doc-confirm-error");
  $("doc-confirm-title").textContent = `Delete “${doc.name}”?`;
  $("doc-confirm-text").textContent = "Its file and its text are removed for everyone who can see it. This can't be undone.";
  error.textContent = "";
  ok.disabled = false;
  ok.textContent = "Delete";
  dialog.showModal();
  $("doc-confirm-cancel").focus();
  return new Promise((resolve) => {
    let deleted = false;
    const form = $("doc-confirm-form");
    form.onsubmit = async (event) => {
      event.preventDefault();
      ok.disabled = true;
      ok.textContent = "Deleting…";
      error.textContent = "";
      try {
        await del(`/api/documents/${doc.id}/`);
        deleted = true;
        dialog.close();
      } catch (failure) {
        // Already gone (deleted from another tab) is what was wanted.
        if (failure.status === 404) {
          deleted = true;
          dialog.close();
          return;
        }
        error.textContent = failure.message;
        ok.disabled = false;
        ok.textContent = "Delete";
      }
    };
    dialog.addEventListener("close", () => resolve(deleted), { once: true });
  });
}

/** The dialog's Cancel button and a click on its backdrop close it. */
export function bindConfirmDialog() {
  const dialog = $("doc-confirm");
  if (!dialog) return;
  $("doc-confirm-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
}

const NOTICE_KEY = "documents.notice";

/** A sentence for the next page to show once (the viewer goes to the list after a delete). */
export function leaveNotice(text) {
  try {
    sessionStorage.setItem(NOTICE_KEY, text);
  } catch {
    // Storage may be off; the list simply says nothing.
  }
}

export function takeNotice() {
  try {
    const text = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return text || "";
  } catch {
    return "";
  }
}
