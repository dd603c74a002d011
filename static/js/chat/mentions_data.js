// What the composer says after a send named people who are not in the room (the ack's
// `not_in_room`, docs/architecture.md): pure, so mentions.js only draws it.

/** "Bob", "Bob and Cem", "Bob, Cem and Dee". */
export function namesList(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The people of an ack that are not in the room, or [] for any other ack. Each `{id, name}`. */
export function outsidersOf(ack) {
  if (!ack || ack.type !== "ack" || !Array.isArray(ack.not_in_room)) return [];
  return ack.not_in_room.filter((p) => p && Number.isInteger(p.id) && typeof p.name === "string");
}

/** The notice: {text, canAdd}. `where` is the room's label ("#design"); a DM cannot take anyone. */
export function notInRoomNotice(people, { where, canAdd, direct = false }) {
  const names = namesList(people.map((p) => p.name));
  const verb = people.length === 1 ? "isn't" : "aren't";
  if (direct) return { text: `${names} ${verb} in this conversation, and nobody can be added to a direct message.`, canAdd: false };
  if (!canAdd) return { text: `${names} ${verb} in ${where}, and you can't add people here.`, canAdd: false };
  return { text: `${names} ${verb} in ${where}. Add ${people.length === 1 ? "them" : "them all"}?`, canAdd: true };
}

/** After the Add button: who joined, and the first refusal in words (or ""). */
export function addedNotice(added, failed, where) {
  const parts = [];
  if (added.length) parts.push(`Added ${namesList(added.map((p) => p.name))} to ${where}.`);
  if (failed.length) parts.push(`Couldn't add ${namesList(failed.map((f) => f.person.name))}: ${failed[0].reason}`);
  return parts.join(" ");
}
