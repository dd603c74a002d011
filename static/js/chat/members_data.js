// A channel's members as data: their order, who may add and remove whom, the people a search
// found (those already in marked), the words for roles, presence, counts, archiving and removal.
// Pure: the signed-in person and the dates' formatter are passed in, so this runs under Node.
//
// What must hold: the panel never offers what the API refuses (a plain member adding to a
// private channel, removing the last owner, anyone touching a direct message).

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 };
const ROLE_LABELS = { owner: "Owner", admin: "Admin", member: "" };
const PRESENCE_LABELS = { online: "Online", active: "Online", idle: "Away", offline: "Offline", connecting: "Connecting…" };

/** Owners, then admins, then everyone else; by name within each. */
export function sortMembers(members) {
  return [...members].sort(
    (a, b) => (ROLE_ORDER[a.role] ?? 3) - (ROLE_ORDER[b.role] ?? 3) || nameOf(a).localeCompare(nameOf(b)) || a.user.id - b.user.id,
  );
}

export function nameOf(member) {
  const user = member.user || member;
  return user.name || member.handle || `#${user.id}`;
}

export function roleLabel(role) {
  return ROLE_LABELS[role] ?? "";
}

export function countLabel(count) {
  return `${count} member${count === 1 ? "" : "s"}`;
}

export function presenceLabel(status) {
  return PRESENCE_LABELS[status] || "Offline";
}

/** This person's own status as their own page should show it: what they chose while the
 * socket is open, else the connection's state; never a stale "online" while cut off. */
export function ownPresence(connection, myStatus) {
  if (connection === "open") return myStatus === "idle" ? "idle" : "online";
  if (connection === "connecting") return "connecting";
  return "offline";
}

function manages(room, me) {
  return !!me.is_admin || room.role === "owner" || room.role === "admin";
}

/** Adding people: any member of a public channel, a private one's owners and admins (and the
 * workspace's); never in a direct message or an archived channel. */
export function canAddPeople(room, me, isMember) {
  if (!room || room.kind === "direct" || room.archived) return false;
  if (room.kind === "public") return isMember || !!me.is_admin;
  return manages(room, me);
}

/** Removing `member`: the channel's managers; only owners (or the workspace's admins) touch an
 * owner; the last owner stays; leaving oneself goes through the room menu instead. */
export function canRemove(room, me, member, members) {
  if (!room || room.kind === "direct" || !manages(room, me)) return false;
  if (member.user.id === me.id) return false;
  if (member.role !== "owner") return true;
  if (!(me.is_admin || room.role === "owner")) return false;
  return members.filter((m) => m.role === "owner").length > 1;
}

/** The people a directory search found, each marked when already in the channel. */
export function searchResults(people, memberIds, limit = 8) {
  return people.slice(0, limit).map((p) => ({ id: p.id, name: p.name || p.handle || `#${p.id}`, handle: p.handle || "", inRoom: memberIds.has(p.id) }));
}

/** The next result the arrow keys land on, wrapping, skipping people already in (they cannot be
 * added); -1 when there is none. */
export function moveActive(results, index, step) {
  const n = results.length;
  for (let i = 1; i <= n; i += 1) {
    const next = (((index + step * i) % n) + n) % n;
    if (!results[next].inRoom) return next;
  }
  return -1;
}

/** The first result that can be added, or -1. */
export function firstAddable(results) {
  return results.findIndex((r) => !r.inRoom);
}

/** "This channel is archived", with who and when when known (`format` turns a date into words). */
export function archivedText(room, format) {
  const parts = ["This channel is archived: its history stays, nobody can post."];
  const by = room.archived_by && room.archived_by.name;
  const when = room.archived_at ? format(room.archived_at) : "";
  if (by && when) parts.push(`Archived by ${by} on ${when}.`);
  else if (by) parts.push(`Archived by ${by}.`);
  else if (when) parts.push(`Archived on ${when}.`);
  return parts.join(" ");
}

/** What a person removed from a channel reads in its place. */
export function removedText(label, by) {
  const name = by && by.name;
  return {
    title: `You were removed from ${label}`,
    text: name ? `${name} removed you. Its messages are no longer shown here.` : "You are no longer a member. Its messages are no longer shown here.",
  };
}

/** The tab's title: the conversation on screen, then the workspace. */
export function pageTitle(label, brand) {
  return label ? `${label} · ${brand}` : brand;
}
