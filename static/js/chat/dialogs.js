// The app's dialogs: create, browse and join channels, start a direct message, rename, the quick
// switcher, and confirmations (the members panel is members.js). Each takes the app it acts on.

import { get, patch, post, qs } from "./api.js";
import { handleOf } from "./composer.js";
import { me } from "./config.js";
import { dmPeople, roomTitle } from "./rooms.js";
import { debounce, h, results } from "./util.js";

const $ = (id) => document.getElementById(id);

export function renameRoom(app) {
  const room = app.rooms.get(app.current);
  if (!room) return;
  const dialog = $("dialog-rename");
  const form = $("rename-form");
  form.name.value = room.name;
  form.topic.value = room.topic || "";
  onDialogSubmit(dialog, form, async () => {
    app.onRoomUpdated(await patch(`/api/rooms/${room.id}/`, { name: form.name.value.trim(), topic: form.topic.value.trim() }));
  });
  dialog.showModal();
}

export function createRoom(app) {
  const dialog = $("dialog-create");
  const form = $("create-form");
  form.reset();
  onDialogSubmit(dialog, form, async () => {
    const room = await post("/api/rooms/", { name: form.name.value.trim(), topic: form.topic.value.trim(), kind: form.kind.value });
    return () => app.enterRoom(room);
  });
  dialog.showModal();
}

export async function browseRooms(app) {
  const dialog = $("dialog-browse");
  const list = $("browse-list");
  const filter = $("browse-filter");
  filter.value = "";
  list.replaceChildren(h("li", { class: "muted" }, "Loading channels…"));
  dialog.showModal();
  let rooms = [];
  try {
    rooms = results(await get("/api/rooms/?browse=1"));
  } catch (error) {
    list.replaceChildren(h("li", { class: "form-error" }, error.message));
    return;
  }
  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rooms.filter((r) => !q || r.name.toLowerCase().includes(q) || (r.topic || "").toLowerCase().includes(q));
    list.replaceChildren(
      ...(shown.length
        ? shown.map((room) => {
            const joined = app.rooms.has(room.id);
            return h(
              "li",
              { class: "pick" },
              h("div", { class: "pick-main" }, h("strong", {}, `#${room.name}`), room.topic ? h("span", { class: "muted" }, room.topic) : ""),
              h(
                "div",
                { class: "pick-actions" },
                h("button", { type: "button", class: "btn btn-secondary btn-sm", onclick: () => (dialog.close(), app.openRoom(room.id)) }, joined ? "Open" : "View"),
                joined ? "" : h("button", { type: "button", class: "btn btn-primary btn-sm", onclick: () => (dialog.close(), app.joinRoom(room.id)) }, "Join"),
              ),
            );
          })
        : [h("li", { class: "muted pick-empty" }, rooms.length ? "No channel matches." : "There are no other public channels to join.")]),
    );
  };
  filter.oninput = render;
  render();
  filter.focus();
}

export function newDirect(app) {
  const dialog = $("dialog-dm");
  const form = $("dm-form");
  const search = $("dm-search");
  const list = $("dm-results");
  const chosenBox = $("dm-chosen");
  const go = $("dm-go");
  const chosen = new Map();
  setError(form, "");
  search.value = "";
  const renderChosen = () => {
    chosenBox.replaceChildren(
      ...[...chosen.values()].map((p) =>
        h("button", { type: "button", class: "chip", "aria-label": `Remove ${p.name}`, onclick: () => (chosen.delete(p.id), renderChosen()) }, p.name, " ×"),
      ),
    );
    go.disabled = !chosen.size;
  };
  const lookup = debounce(async () => {
    try {
      const people = results(await get(`/api/directory/${qs({ q: search.value.trim() })}`)).filter((p) => p.id !== me.id);
      list.replaceChildren(
        ...(people.length
          ? people.slice(0, 12).map((p) =>
              h(
                "li",
                { class: "pick" },
                h(
                  "button",
                  {
                    type: "button",
                    class: "pick-person",
                    role: "option",
                    "aria-selected": chosen.has(p.id) ? "true" : "false",
                    onclick: () => {
                      chosen.set(p.id, { id: p.id, name: p.name || handleOf(p) });
                      renderChosen();
                      search.focus();
                    },
                  },
                  h("span", { class: "presence-dot", "data-presence": app.presence.get(p.id) || "offline", "aria-hidden": "true" }),
                  h("strong", {}, p.name || handleOf(p)),
                  h("span", { class: "muted" }, ` @${handleOf(p)}`),
                ),
              ),
            )
          : [h("li", { class: "muted pick-empty" }, "Nobody found.")]),
      );
    } catch (error) {
      list.replaceChildren(h("li", { class: "form-error" }, error.message));
    }
  }, 150);
  search.oninput = lookup;
  renderChosen();
  lookup();
  onDialogSubmit(dialog, form, async () => {
    const room = await post("/api/direct/", { users: [...chosen.keys()] });
    return () => app.enterRoom(room);
  });
  dialog.showModal();
  search.focus();
}

/** Ctrl/Cmd+K: conversations of the sidebar by name, then people of the workspace (choosing
 * one opens the direct message with them). */
export function quickSwitcher(app) {
  const dialog = $("dialog-switcher");
  const input = $("switcher-input");
  const list = $("switcher-list");
  let active = 0;
  let shown = [];
  let people = [];
  // Enter pressed while the people lookup is still on its way: choose once it answers.
  let chooseWhenFound = false;
  const matches = (person, q) =>
    (person.name || "").toLowerCase().includes(q) || handleOf(person).toLowerCase().includes(q);
  const render = () => {
    const q = input.value.trim().toLowerCase().replace(/^[#@]/, "");
    const rooms = app.sidebarOrder()
      .map((id) => app.rooms.get(id))
      .filter((room) => !q || roomTitle(room, me.id).toLowerCase().includes(q))
      .map((room) => ({ key: `room-${room.id}`, room }));
    const withDm = new Set(
      [...app.rooms.values()].filter((r) => r.kind === "direct" && dmPeople(r, me.id).length === 1).map((r) => dmPeople(r, me.id)[0].id),
    );
    // The last lookup's people stay while the next is on its way, as far as they still match.
    const persons = q
      ? people.filter((p) => p.id !== me.id && !withDm.has(p.id) && matches(p, q)).map((p) => ({ key: `person-${p.id}`, person: p }))
      : [];
    shown = [...rooms, ...persons];
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(
      ...shown.map((item, index) => {
        const attrs = {
          role: "option",
          id: `switch-${item.key}`,
          class: "switch-item",
          "aria-selected": index === active ? "true" : "false",
          onclick: () => choose(item),
        };
        if (item.room) {
          const room = item.room;
          return h(
            "li",
            attrs,
            h("span", { class: "room-glyph", "aria-hidden": "true" }, room.kind === "direct" ? "@" : room.kind === "private" ? "🔒" : "#"),
            h("span", {}, roomTitle(room, me.id)),
            room.unread ? h("span", { class: "badge" }, String(room.unread)) : "",
          );
        }
        const person = item.person;
        return h(
          "li",
          attrs,
          h("span", { class: "presence-dot", "data-presence": app.presence.get(person.id) || "offline", "aria-hidden": "true" }),
          h("span", {}, person.name || handleOf(person), h("span", { class: "muted" }, ` @${handleOf(person)} · new message`)),
        );
      }),
    );
    if (!shown.length) list.append(h("li", { class: "muted pick-empty" }, "No conversation or person matches."));
    if (shown[active]) input.setAttribute("aria-activedescendant", `switch-${shown[active].key}`);
  };
  const lookup = debounce(async () => {
    const q = input.value.trim().replace(/^[#@]/, "");
    if (!q) return;
    try {
      people = results(await get(`/api/directory/${qs({ q })}`)).slice(0, 8);
    } catch {
      people = [];
    }
    if (!dialog.open) return;
    render();
    if (chooseWhenFound && shown[active]) choose(shown[active]);
    chooseWhenFound = false;
  }, 150);
  const choose = async (item) => {
    dialog.close();
    if (item.room) return app.openRoom(item.room.id);
    try {
      await app.enterRoom(await post("/api/direct/", { users: [item.person.id] }));
    } catch (error) {
      app.toast(error.message);
    }
  };
  input.value = "";
  input.oninput = () => {
    active = 0;
    chooseWhenFound = false;
    render();
    lookup();
  };
  input.onkeydown = (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!shown.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
      render();
      document.getElementById(`switch-${shown[active].key}`)?.scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (shown[active]) choose(shown[active]);
      else if (input.value.trim()) chooseWhenFound = true;
    }
  };
  render();
  dialog.showModal();
  input.focus();
}

export function setError(form, text) {
  const box = form.querySelector("[data-error]");
  if (box) box.textContent = text;
}

/** A dialog's form runs `work` on submit: an error is shown in the form, which stays open;
 * on success the dialog closes, then whatever `work` returned to run next is run. */
export function onDialogSubmit(dialog, form, work) {
  setError(form, "");
  form.onsubmit = async (event) => {
    event.preventDefault();
    let next;
    try {
      next = await work();
    } catch (error) {
      setError(form, error.message);
      return;
    }
    dialog.close();
    if (typeof next === "function") await next();
  };
}

export function confirmDialog(title, text, okLabel) {
  const dialog = $("dialog-confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}
