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

// The composer's count shows from this many characters before the limit.
export const COUNT_FROM = 500;

/**
 * What the composer says of a text's length against `max`: null while far from it, else
 * `{text, over}` ("120 characters left", "35 characters over the limit").
 */
export function lengthNote(length, max) {
  if (!max || length < max - COUNT_FROM) return null;
  const left = max - length;
  const plural = (n) => `${n.toLocaleString("en")} character${n === 1 ? "" : "s"}`;
  return left >= 0 ? { text: `${plural(left)} left`, over: false } : { text: `${plural(-left)} over the limit`, over: true };
}
