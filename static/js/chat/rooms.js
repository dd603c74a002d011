// How a room is named on screen: channels by their name, direct messages by the other people.

import { me } from "./config.js";

export function roomTitle(room) {
  if (!room) return "";
  if (room.kind === "direct") {
    const others = dmPeople(room);
    if (others.length) return others.map((p) => p.name).join(", ");
  }
  return room.name;
}

/** The other people of a direct message, whatever shape the room payload gives them in. */
export function dmPeople(room) {
  const list = Array.isArray(room.others) ? room.others : [];
  return list
    .map((p) => (typeof p === "object" ? { id: p.id, name: p.name || p.email || `#${p.id}` } : { id: p, name: `#${p}` }))
    .filter((p) => p.id !== me.id);
}

export function roomLabel(room) {
  return room.kind === "direct" ? roomTitle(room) : `#${room.name}`;
}
