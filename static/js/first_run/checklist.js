// Shows the new owner's checklist (templates/chat/first_run_checklist.html) unless this person
// dismissed it in this workspace, and remembers the dismissal (checklist_data.js). The items
// themselves are links, or chat page actions handled by the chat app (`data-action`).

import { isDismissed, rememberDismissed } from "./checklist_data.js";

const card = document.getElementById("first-run");
if (card) {
  const key = card.dataset.firstRunKey;
  if (!isDismissed(window.localStorage, key)) card.hidden = false;
  card.querySelector("[data-first-run-dismiss]")?.addEventListener("click", () => {
    rememberDismissed(window.localStorage, key);
    card.hidden = true;
    document.getElementById("composer-input")?.focus();
  });
}
