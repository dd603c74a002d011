// The checklist card's memory, apart from the page: whether this person dismissed it in this
// workspace. The key (from the page: workspace and person) is stored in localStorage; a
// storage that throws (private modes, full quota) counts as "not dismissed" and dismissing
// still hides the card for this page.

export const DISMISSED = "1";

/** Whether the card was dismissed, read from `storage` (localStorage or a stand-in). */
export function isDismissed(storage, key) {
  if (!key) return false;
  try {
    return storage.getItem(key) === DISMISSED;
  } catch {
    return false;
  }
}

/** Remember the dismissal; false when the storage refused it. */
export function rememberDismissed(storage, key) {
  if (!key) return false;
  try {
    storage.setItem(key, DISMISSED);
    return true;
  } catch {
    return false;
  }
}
