// Search as data: the query's address, the summary line, and what one hit says, whatever shape
// the server gave it (a message, a message wrapped in a hit, a document). Pure; search.js draws.

import { idOf, qs } from "./payload.js";
import { roomLabel } from "./rooms.js";

/** The first page of hits for `query`, in one room when `roomId` is given. */
export function searchPath(query, roomId) {
  return `/api/search/${qs({ q: query, room: roomId ?? undefined })}`;
}

/** "3 results for …"; a "+" when the server has another page (it gave a `next` page). */
export function searchSummary(found, data, query) {
  if (!found.length) return `Nothing found for “${query}”.`;
  const more = data && data.next ? "+" : "";
  return `${found.length}${more} result${found.length === 1 ? "" : "s"} for “${query}”`;
}

export function isDocumentHit(item) {
  return (item.type || item.kind) === "document" && !!item.document;
}

/** One hit of a message (or a document without its card): where it is, who wrote it, what to
 * show of it. `rooms` is the sidebar's map, for a room's name as the sidebar shows it. */
export function describeHit(item, rooms, meId) {
  const msg = item.message && typeof item.message === "object" ? item.message : item;
  const roomId = idOf(item.room ?? msg.room);
  const room = rooms.get(roomId);
  const kind = item.kind || item.type || "message";
  return {
    roomId,
    messageId: Number(msg.id ?? item.id),
    kind,
    roomName: room ? roomLabel(room, meId) : item.room && item.room.name ? `#${item.room.name}` : "a channel",
    heading: kind === "document" ? `📄 ${item.title || item.name || "Document"}` : msg.author ? msg.author.name : "",
    snippet: item.snippet || item.highlight || item.headline || msg.snippet || "",
    text: msg.body || item.title || "",
    createdAt: msg.created_at || null,
  };
}
