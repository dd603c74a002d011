// What a person can do to a message, as data. Pure; reactions.js and editing.js act on it.

/** Whether this person's reaction `emoji` is on `msg`, and so the frame that toggles it. */
export function reactionChange(msg, emoji, meId) {
  const reaction = (msg.reactions || []).find((r) => r.emoji === emoji);
  const mine = !!reaction && (reaction.users || []).includes(meId);
  return { mine, type: mine ? "reaction.remove" : "reaction.add" };
}

/** Only the author edits a message, and not once it is deleted. */
export function canEdit(msg, meId) {
  return !!msg && !msg.deleted && !!msg.author && msg.author.id === meId;
}

/** The body an edit saves: trimmed; null when there is nothing to save (empty). */
export function editedBody(text) {
  const body = text.trim();
  return body ? body : null;
}
