// The members panel of a channel (opened from the header's members button): everyone in it with
// their picture or initial, presence and role; for those allowed, a search-as-you-type field to
// add people (arrow keys and Enter; people already in are marked) and a Remove button, confirmed
// first. Frames keep it true while it is open (refreshMembers, renderMembersPresence). The rules
// are in members_data.js. A sheet over the whole screen on a phone (chat.css).

import { del, get, post, qs } from "./api.js";
import { roomOf } from "./chat_data.js";
import { me } from "./config.js";
import { confirmDialog } from "./dialogs.js";
import { $ } from "./dom.js";
import { canAddPeople, canRemove, countLabel, firstAddable, moveActive, nameOf, presenceLabel, roleLabel, searchResults, sortMembers } from "./members_data.js";
import { roomLabel } from "./rooms.js";
import { debounce, h, hue, initial, results } from "./util.js";

const PAGE = 200;
const MAX_PAGES = 10; // 2,000 people: more than any channel's panel should list

// The panel's state while open: its room, the members loaded, the search's results.
const panel = { roomId: null, members: [], found: [], active: -1, loading: null };

const dom = () => ({
  dialog: $("members-panel"),
  title: $("members-title"),
  summary: $("members-summary"),
  add: $("members-add"),
  search: $("members-search"),
  results: $("members-results"),
  status: $("members-status"),
  list: $("members-list"),
});

export function membersOpenFor(roomId) {
  const { dialog } = dom();
  return !!dialog && dialog.open && panel.roomId === roomId;
}

export async function openMembers(app) {
  const room = roomOf(app, app.current);
  const d = dom();
  if (!room || !d.dialog) return;
  panel.roomId = room.id;
  panel.members = [];
  d.title.textContent = `Members of ${roomLabel(room, me.id)}`;
  d.status.textContent = "";
  d.search.value = "";
  hideResults();
  d.list.replaceChildren(h("li", { class: "members-loading muted" }, "Loading members…"));
  d.list.setAttribute("aria-busy", "true");
  renderAddField(app);
  if (!d.dialog.open) d.dialog.showModal();
  // On a phone the keyboard would cover the list: the search waits for a tap there.
  const typeAway = canAddPeople(room, me, app.rooms.has(room.id)) && window.matchMedia("(min-width: 721px)").matches;
  (typeAway ? d.search : d.dialog.querySelector("[data-close]")).focus();
  await refreshMembers(app, room.id);
}

function renderAddField(app) {
  const room = roomOf(app, panel.roomId);
  const d = dom();
  d.add.hidden = !canAddPeople(room, me, app.rooms.has(panel.roomId));
  d.search.oninput = () => lookup(app);
  d.search.onkeydown = (event) => onSearchKey(app, event);
}

/** The list again from the API (a frame said it changed, or the panel just opened). */
export async function refreshMembers(app, roomId) {
  if (!membersOpenFor(roomId)) return;
  const loading = loadAll(roomId);
  panel.loading = loading;
  let members;
  try {
    members = await loading;
  } catch (error) {
    if (panel.loading === loading) showList(app, error.message);
    return;
  }
  if (panel.loading !== loading || !membersOpenFor(roomId)) return; // a newer load is on its way
  panel.members = sortMembers(members);
  const room = roomOf(app, roomId);
  if (room) {
    room.members = members.length;
    dom().title.textContent = `Members of ${roomLabel(room, me.id)}`; // renamed meanwhile, maybe
  }
  renderAddField(app);
  showList(app);
  if (panel.found.length) renderResults(app);
}

async function loadAll(roomId) {
  const all = [];
  let after = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await get(`/api/rooms/${roomId}/members/${qs(after ? { limit: PAGE, after } : { limit: PAGE })}`);
    all.push(...results(answer));
    after = answer.next;
    if (!after) break;
  }
  return all;
}

function showList(app, problem) {
  const d = dom();
  d.list.removeAttribute("aria-busy");
  if (problem) {
    d.list.replaceChildren(h("li", { class: "form-error" }, `Could not load the members (${problem}).`));
    return;
  }
  d.summary.textContent = countLabel(panel.members.length);
  d.list.replaceChildren(...panel.members.map((member) => memberItem(app, member)));
}

function avatarOf(member) {
  const user = member.user;
  if (member.avatar) return h("img", { class: "member-avatar", src: member.avatar, alt: "", loading: "lazy" });
  return h("span", { class: "member-avatar", style: `--hue:${hue(user.id)}`, "aria-hidden": "true" }, initial(nameOf(member)));
}

function statusOf(app, userId) {
  return app.presence.get(userId) || "offline";
}

function memberItem(app, member) {
  const room = roomOf(app, panel.roomId);
  const status = statusOf(app, member.user.id);
  const role = roleLabel(member.role);
  const mine = member.user.id === me.id;
  return h(
    "li",
    { class: "member", "data-user": member.user.id },
    h("span", { class: "member-face" }, avatarOf(member), h("span", { class: "presence-dot", "data-presence": status, title: presenceLabel(status), "aria-hidden": "true" })),
    h(
      "span",
      { class: "member-main" },
      h("strong", { class: "member-name" }, nameOf(member), mine ? h("span", { class: "muted" }, " (you)") : ""),
      h("span", { class: "member-meta muted" }, h("span", { class: "member-presence" }, presenceLabel(status)), member.handle ? ` · @${member.handle}` : ""),
    ),
    role ? h("span", { class: `role-tag role-${member.role}` }, role) : "",
    canRemove(room, me, member, panel.members)
      ? h("button", { type: "button", class: "btn btn-secondary btn-sm member-remove", "aria-label": `Remove ${nameOf(member)}`, onclick: () => removeMember(app, member) }, "Remove")
      : "",
  );
}

/** Presence changed: the dots and words of the open panel follow. */
export function renderMembersPresence(app) {
  const d = dom();
  if (!d.dialog || !d.dialog.open) return;
  for (const item of d.list.querySelectorAll(".member")) {
    const status = statusOf(app, Number(item.dataset.user));
    const dot = item.querySelector(".presence-dot");
    dot.dataset.presence = status;
    dot.title = presenceLabel(status);
    item.querySelector(".member-presence").textContent = presenceLabel(status);
  }
}

export function closeMembers() {
  const { dialog } = dom();
  if (dialog && dialog.open) dialog.close();
  panel.roomId = null;
}

// -- adding people -------------------------------------------------------------------------

const lookup = debounce(async (app) => {
  const d = dom();
  const q = d.search.value.trim();
  if (!q) {
    hideResults();
    return;
  }
  const roomId = panel.roomId;
  try {
    const people = results(await get(`/api/directory/${qs({ q })}`));
    if (roomId !== panel.roomId || d.search.value.trim() !== q) return; // answered too late
    panel.found = searchResults(people, new Set(panel.members.map((m) => m.user.id)));
    panel.active = firstAddable(panel.found);
    renderResults(app);
  } catch (error) {
    d.results.hidden = false;
    d.results.replaceChildren(h("li", { class: "form-error" }, error.message));
  }
}, 200);

function renderResults(app) {
  const d = dom();
  panel.found = panel.found.map((p) => ({ ...p, inRoom: panel.members.some((m) => m.user.id === p.id) }));
  d.results.hidden = false;
  d.search.setAttribute("aria-expanded", "true");
  if (!panel.found.length) {
    d.results.replaceChildren(h("li", { class: "muted pick-empty" }, "Nobody found."));
    d.search.removeAttribute("aria-activedescendant");
    return;
  }
  d.results.replaceChildren(
    ...panel.found.map((person, index) =>
      h(
        "li",
        {
          id: `add-person-${person.id}`,
          class: `add-person${person.inRoom ? " in-room" : ""}`,
          role: "option",
          "aria-selected": index === panel.active ? "true" : "false",
          "aria-disabled": person.inRoom ? "true" : null,
          onmousedown: (event) => event.preventDefault(), // the field keeps the focus
          onclick: () => !person.inRoom && addPerson(app, person),
        },
        h("span", { class: "member-avatar member-avatar-sm", style: `--hue:${hue(person.id)}`, "aria-hidden": "true" }, initial(person.name)),
        h("span", { class: "member-main" }, h("strong", {}, person.name), person.handle ? h("span", { class: "muted" }, ` @${person.handle}`) : ""),
        person.inRoom ? h("span", { class: "role-tag" }, "In channel") : h("span", { class: "add-hint muted" }, "Add"),
      ),
    ),
  );
  const active = panel.found[panel.active];
  if (active) d.search.setAttribute("aria-activedescendant", `add-person-${active.id}`);
  else d.search.removeAttribute("aria-activedescendant");
}

function hideResults() {
  const d = dom();
  panel.found = [];
  panel.active = -1;
  if (!d.results) return;
  d.results.hidden = true;
  d.results.replaceChildren();
  d.search.setAttribute("aria-expanded", "false");
  d.search.removeAttribute("aria-activedescendant");
}

function onSearchKey(app, event) {
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!panel.found.length) return;
    panel.active = moveActive(panel.found, panel.active, event.key === "ArrowDown" ? 1 : -1);
    renderResults(app);
    document.getElementById(`add-person-${panel.found[panel.active]?.id}`)?.scrollIntoView({ block: "nearest" });
  } else if (event.key === "Enter") {
    event.preventDefault();
    const person = panel.found[panel.active];
    if (person && !person.inRoom) addPerson(app, person);
  } else if (event.key === "Escape" && !dom().results.hidden) {
    event.preventDefault(); // the first Esc closes the results, the next one the panel
    hideResults();
  }
}

async function addPerson(app, person) {
  const roomId = panel.roomId;
  const d = dom();
  try {
    await post(`/api/rooms/${roomId}/members/`, { user: person.id });
  } catch (error) {
    d.status.textContent = error.message;
    d.status.className = "members-status form-error";
    return;
  }
  d.status.textContent = `${person.name} was added.`;
  d.status.className = "members-status";
  d.search.value = "";
  hideResults();
  d.search.focus();
  await refreshMembers(app, roomId);
}

// -- removing people -----------------------------------------------------------------------

async function removeMember(app, member) {
  const roomId = panel.roomId;
  const room = roomOf(app, roomId);
  const name = nameOf(member);
  const ok = await confirmDialog(
    `Remove ${name} from ${roomLabel(room, me.id)}?`,
    room.kind === "private" ? "They lose the channel and its messages at once; someone can add them again later." : "They leave the channel; they can join it again.",
    "Remove",
  );
  const d = dom();
  if (!ok || !membersOpenFor(roomId)) return;
  try {
    await del(`/api/rooms/${roomId}/members/${member.user.id}/`);
  } catch (error) {
    d.status.textContent = error.message;
    d.status.className = "members-status form-error";
    return;
  }
  d.status.textContent = `${name} was removed.`;
  d.status.className = "members-status";
  await refreshMembers(app, roomId);
}
