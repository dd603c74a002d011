// How a room is named on screen: channels by their name, direct messages by the other people.
// Pure: the signed-in person's id is passed in, so these run anywhere (tests under Node too).

export function roomTitle(room, meId) {
  if (!room) return "";
  if (room.kind === "direct") {
    const others = dmPeople(room, meId);
    if (others.length) return others.map((p) => p.name).join(", ");
  }
  return room.name;
}

/** The other people of a direct message, whatever shape the room payload gives them in. */
export function dmPeople(room, meId) {
  const list = Array.isArray(room.others) ? room.others : [];
  return list
    .map((p) => (typeof p === "object" ? { id: p.id, name: p.name || p.email || `#${p.id}` } : { id: p, name: `#${p}` }))
    .filter((p) => p.id !== meId);
}

export function roomLabel(room, meId) {
  return room.kind === "direct" ? roomTitle(room, meId) : `#${room.name}`;
}
