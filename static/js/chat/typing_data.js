// Who is typing in a room, as data: each person is shown for a while after their last `typing`
// frame (senders repeat it every few seconds while they type). Pure; presence.js draws the line.

export const TYPING_SHOWN_MS = 6000;

/** Someone typing in a room whose typing map is `typing`, until `now + TYPING_SHOWN_MS`. */
export function noteTyping(typing, id, name, now) {
  typing.set(id, { name, until: now + TYPING_SHOWN_MS });
}

/** The names still typing at `now`; those whose time ran out leave the map. */
export function typingNames(typing, now) {
  const names = [];
  for (const [id, entry] of typing) {
    if (entry.until < now) typing.delete(id);
    else names.push(entry.name);
  }
  return names;
}

/** The line under the timeline. */
export function typingText(names) {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length > 2) return "Several people are typing…";
  return "";
}
