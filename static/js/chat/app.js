// The chat app: rooms, history, live updates, and the promise that no message is lost.
//
// Reliability, in short:
// - one socket for every room; on each (re)open every room of the sidebar is subscribed with
//   `after` = the newest message id this page has seen in it, so the server replays what was
//   missed before streaming, and with `changes_since` for edits, deletions and reactions;
// - everything is keyed by message id, so a message seen twice (replay and live, or a re-sent
//   message) is shown once;
// - what the person writes goes to the outbox (localStorage) with a client_id first, and leaves
//   it only when the server's `message.new` with that client_id arrives; it is re-sent with the
//   same client_id after every reconnect (the server stores it once).

import { del, get, patch, post, qs, serverNow } from "./api.js";
import { Composer } from "./composer.js";
import { config, me } from "./config.js";
import { browseRooms, confirmDialog, createRoom, newDirect, quickSwitcher, renameRoom, showMembers } from "./dialogs.js";
import { documentHit, refreshDocuments, unfinishedOnScreen, updateDocumentCards } from "./documents.js";
import { EMOJI, fillMessage, insertInOrder, messageElement, pendingElement, relayout } from "./messages.js";
import { Outbox } from "./outbox.js";
import { dmPeople, roomLabel, roomTitle } from "./rooms.js";
import { ChatSocket } from "./socket.js";
import { UploadTray, bindDropZone, bindPaste, bindPicker } from "./uploads.js";
import { h, isMac, isTypingTarget, results, snippetNodes, uuid } from "./util.js";

const $ = (id) => document.getElementById(id);

const PAGE = 50;
const AROUND = 25;
const IDLE_AFTER_MS = 3 * 60 * 1000;
const TYPING_SHOWN_MS = 6000;
const UNCONFIRMED_AFTER_MS = 20000;
const TRANSIENT_ERRORS = new Set(["rate_limited", "server_error"]);
const AUTO_RETRIES = 5;
// `changes_since` is in the server's time (its Date header is second-grained, and a change may
// be committed a little before its frame arrives): ask from a little earlier; repeats are harmless.
const CHANGES_MARGIN_MS = 60 * 1000;

const el = {
  app: $("chat-app"),
  sidebar: $("sidebar"),
  roomList: $("room-list"),
  dmList: $("dm-list"),
  backdrop: document.querySelector(".drawer-backdrop"),
  drawerToggle: document.querySelector(".drawer-toggle"),
  drawerBadge: $("drawer-badge"),
  banner: $("conn-banner"),
  bannerText: $("conn-text"),
  bannerRetry: $("conn-retry"),
  roomName: $("room-name"),
  roomTopic: $("room-topic"),
  membersBtn: $("members-btn"),
  membersCount: $("members-count"),
  menuBtn: $("room-menu-btn"),
  menu: $("room-menu"),
  main: $("main"),
  timeline: $("timeline"),
  list: $("message-list"),
  historyStatus: $("history-status"),
  emptyRoom: $("empty-room"),
  jumpLatest: $("jump-latest"),
  typing: $("typing"),
  composer: $("composer"),
  composerBox: document.querySelector("#composer .composer-box"),
  composerReadonly: $("composer-readonly"),
  panel: $("side-panel"),
  panelTitle: $("panel-title"),
  panelBody: $("panel-body"),
  threadComposer: $("thread-composer"),
  searchForm: $("search-form"),
  searchInput: $("search-input"),
  announcer: $("announcer"),
  myPresence: $("my-presence"),
  myPresenceLabel: $("my-presence-label"),
};

function plainText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
  return (doc.body.textContent || "").trim();
}

function idOf(value) {
  if (value && typeof value === "object") return Number(value.id);
  return value === undefined || value === null ? null : Number(value);
}

class ChatApp {
  constructor() {
    this.rooms = new Map();
    this.state = new Map();
    this.people = new Map([[me.id, { id: me.id, name: me.name }]]);
    this.presence = new Map();
    this.current = null;
    this.thread = null;
    this.lastFrameAt = null;
    this.pendingReads = new Map();
    this.drafts = new Map();
    this.myStatus = "active";
    this.lastActivity = Date.now();
    this.outbox = new Outbox(`chat.outbox.${location.host}.${me.id}`);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.socket = new ChatSocket(`${scheme}//${location.host}${config.socket_path}`);
    this.unconfirmed = new Map();
    this.pickerFor = null;
  }

  // =====================================================================================
  // Start-up
  // =====================================================================================

  async start() {
    for (const node of document.querySelectorAll("[data-mod-key]")) node.textContent = node.textContent.replace("Ctrl", isMac ? "⌘" : "Ctrl");
    this.uploads = new UploadTray($("upload-tray"), {
      room: () => this.current,
      maxBytes: config.max_upload_bytes,
      refused: config.upload_refused,
      refocus: () => this.composer.input,
    });
    this.composer = new Composer(el.composer, {
      mentions: true,
      roomId: () => this.current,
      hasAttachments: () => this.uploads.ready().length > 0 || this.uploads.uploading(),
      canSend: () => this.uploads.readyToSend(),
      onSend: (body) => this.send(this.current, body, null, this.uploads.take()),
      onTyping: () => this.socket.send({ type: "typing", room: this.current }),
      onEditLast: () => this.editLast(),
      onDraft: (text) => this.current && this.drafts.set(this.current, text),
    });
    this.threadComposerCtl = new Composer(el.threadComposer, {
      mentions: false,
      roomId: () => this.current,
      onSend: (body) => this.thread && this.send(this.thread.room, body, this.thread.root),
      onTyping: () => this.thread && this.socket.send({ type: "typing", room: this.thread.room }),
    });
    for (const flash of document.querySelectorAll("[data-flash]")) setTimeout(() => flash.remove(), 6000);
    this.bindUi();
    this.bindUploads();
    this.bindSocket();
    this.watchActivity();
    setInterval(() => this.tick(), 1000);

    await this.loadRooms();
    this.socket.connect();
    // A link to a room (#room-12) opens it, even a public room not joined yet.
    const fromHash = Number((location.hash.match(/^#room-(\d+)/) || [])[1]);
    el.app.dataset.state = "ready";
    if (fromHash) await this.openRoom(fromHash);
    if (!this.current) {
      const first = this.sidebarOrder()[0];
      if (first) await this.openRoom(first, { link: false });
      else this.showNoRooms();
    }
  }

  async loadRooms() {
    try {
      const rooms = results(await get("/api/rooms/"));
      const seen = new Set();
      for (const room of rooms) {
        if (room.is_member === false) continue;
        seen.add(room.id);
        // A room that arrived while the socket was down (a new DM, say) is followed from now on.
        if (!this.rooms.has(room.id) && this.socket.isOpen) this.subscribe(room.id);
        this.mergeRoom(room);
      }
      for (const id of [...this.rooms.keys()]) if (!seen.has(id) && id !== this.current) this.rooms.delete(id);
      el.roomList.removeAttribute("aria-busy");
      if (this.current) this.markReadSoon();
    } catch (error) {
      el.roomList.replaceChildren(h("li", { class: "room-empty" }, `Could not load your channels (${error.message}).`));
      return;
    }
    this.renderSidebar();
  }

  mergeRoom(room) {
    const known = this.rooms.get(room.id) || {};
    const merged = { ...known, ...room };
    merged.unread = room.unread ?? known.unread ?? 0;
    // The read position only moves forward; an answer that left before our last `read` is older.
    merged.last_read_id = Math.max(known.last_read_id || 0, room.last_read_id || 0);
    merged.mentions = room.mentions ?? room.mention_count ?? room.unread_mentions ?? known.mentions ?? 0;
    this.rooms.set(room.id, merged);
    for (const person of dmPeople(merged)) if (!person.name.startsWith("#")) this.people.set(person.id, person);
    return merged;
  }

  /** A room of the sidebar, or the public room being looked at without joining. */
  roomOf(id) {
    if (this.rooms.has(id)) return this.rooms.get(id);
    return this.previewRoom && this.previewRoom.id === id ? this.previewRoom : null;
  }

  roomState(id) {
    let rs = this.state.get(id);
    if (!rs) {
      rs = {
        msgs: new Map(), // the window on screen (roots only), by id
        buffer: new Map(), // live messages while the window is not at the newest
        loaded: false,
        hasOlder: true,
        atLatest: true,
        loadingOlder: false,
        loadingNewer: false,
        maxSeen: 0, // the newest message id this page has seen in the room: the `after` cursor
        counted: new Set(), // ids already counted as unread
        typing: new Map(),
        dividerAfter: null,
      };
      this.state.set(id, rs);
    }
    return rs;
  }

  // =====================================================================================
  // Socket
  // =====================================================================================

  bindSocket() {
    this.socket.addEventListener("status", (event) => this.showConnection(event.detail));
    this.socket.addEventListener("open", (event) => this.onOpen(event.detail.reconnected));
    this.socket.addEventListener("frame", (event) => this.onFrame(event.detail));
  }

  async onOpen(reconnected) {
    const since = this.lastFrameAt ? new Date(this.lastFrameAt - CHANGES_MARGIN_MS).toISOString() : undefined;
    this.socket.send({ type: "presence", status: this.myStatus });
    for (const id of this.rooms.keys()) this.subscribe(id, reconnected ? since : undefined);
    if (this.current && !this.rooms.has(this.current)) this.subscribe(this.current, reconnected ? since : undefined);
    this.flushOutbox();
    for (const [room, message] of this.pendingReads) this.socket.send({ type: "read", room, message });
    this.pendingReads.clear();
    if (reconnected) {
      // Documents being read while the socket was down: their frames are gone, ask for them.
      refreshDocuments(unfinishedOnScreen());
      // Counts of rooms this page never opened come from the server, not from the replay.
      await this.loadRooms();
    }
  }

  subscribe(roomId, changesSince) {
    const rs = this.roomState(roomId);
    const frame = { type: "subscribe", room: roomId, ref: `sub:${roomId}` };
    // A room whose history is loaded always resumes from a cursor, 0 for a room still empty.
    if (rs.maxSeen || rs.loaded) frame.after = rs.maxSeen;
    if (changesSince && rs.maxSeen) frame.changes_since = changesSince;
    // Without `after` the room streams from now on with no replay: once its history is loaded
    // it is subscribed again from the newest message loaded, so nothing falls in between.
    if (this.socket.send(frame)) rs.blind = !frame.after;
  }

  onFrame(frame) {
    this.lastFrameAt = serverNow();
    switch (frame.type) {
      case "message.new":
        this.onMessage(frame.message);
        break;
      case "message.updated":
        this.onUpdated(frame.message);
        break;
      case "message.deleted":
        this.onDeleted(frame.id, frame.room);
        break;
      case "reaction.added":
      case "reaction.removed":
        this.onReactions(idOf(frame.message), frame.room, frame.reactions);
        break;
      case "typing":
        this.onTyping(frame.room, frame.user, frame.name);
        break;
      case "read":
        this.onRead(frame.room, idOf(frame.user), frame.message);
        break;
      case "presence":
        this.setPresence(idOf(frame.user), frame.status);
        break;
      case "presence.snapshot":
        for (const [id, status] of Object.entries(frame.users || {})) this.setPresence(Number(id), status, false);
        this.renderSidebar();
        break;
      case "subscribed": {
        const rs = this.roomState(frame.room);
        if (frame.last_id && !rs.loaded) rs.maxSeen = Math.max(rs.maxSeen, frame.last_id);
        break;
      }
      case "room.added":
        this.onRoomAdded(frame.room);
        break;
      case "room.updated":
        this.onRoomUpdated(frame.room);
        break;
      case "room.removed":
        this.onRoomRemoved(idOf(frame.room));
        break;
      case "mention":
        this.onMention(frame.room, frame.message);
        break;
      case "document.updated":
        updateDocumentCards(frame.document);
        break;
      case "error":
        this.onError(frame);
        break;
      default:
        break;
    }
  }

  // ----- messages -----

  onMessage(msg) {
    if (!msg || !msg.id) return;
    const rs = this.roomState(msg.room);
    if (msg.author) this.people.set(msg.author.id, msg.author);
    const mine = msg.author && msg.author.id === me.id;
    if (mine && msg.client_id) this.confirm(msg.client_id);
    rs.maxSeen = Math.max(rs.maxSeen, msg.id);
    if (msg.author) rs.typing.delete(msg.author.id);
    if (this.current === msg.room) this.renderTyping();

    if (this.thread && (msg.thread === this.thread.root || msg.id === this.thread.root)) this.threadUpsert(msg);
    if (msg.thread) return; // replies live in their thread; the root's message.updated counts them

    const target = rs.atLatest ? rs.msgs : rs.buffer;
    const existed = target.has(msg.id);
    target.set(msg.id, msg);
    if (this.current === msg.room && rs.atLatest) {
      const stick = this.nearBottom();
      this.upsertElement(msg);
      if (stick || mine) this.scrollToBottom();
      else if (!existed) el.jumpLatest.hidden = false;
    }
    if (!mine && !rs.counted.has(msg.id) && !existed) {
      rs.counted.add(msg.id);
      const room = this.rooms.get(msg.room);
      if (room && msg.id > (room.last_read_id || 0) && !msg.deleted) {
        if (this.current === msg.room && this.canSee()) {
          this.announce(`${msg.author ? msg.author.name : "Someone"}: ${plainText(msg.html).slice(0, 140)}`);
          this.markReadSoon();
        } else {
          room.unread = (room.unread || 0) + 1;
          this.renderSidebar();
        }
      }
    }
  }

  onUpdated(msg) {
    if (!msg || !msg.id) return;
    const rs = this.roomState(msg.room);
    if (this.thread && (msg.id === this.thread.root || msg.thread === this.thread.root)) this.threadUpsert(msg);
    for (const map of [rs.msgs, rs.buffer]) {
      if (map.has(msg.id)) {
        map.set(msg.id, { ...map.get(msg.id), ...msg });
        if (map === rs.msgs && this.current === msg.room) this.upsertElement(map.get(msg.id));
      }
    }
  }

  onDeleted(id, roomId) {
    const rs = this.roomState(roomId);
    for (const map of [rs.msgs, rs.buffer]) {
      const msg = map.get(id);
      if (msg) {
        Object.assign(msg, { deleted: true, body: "", html: "", reactions: [] });
        if (map === rs.msgs && this.current === roomId) this.upsertElement(msg);
      }
    }
    if (this.thread) {
      const item = this.thread.msgs.get(id);
      if (item) this.threadUpsert({ ...item, deleted: true, body: "", html: "", reactions: [] });
    }
  }

  onReactions(id, roomId, reactions) {
    const rs = this.roomState(roomId);
    const msg = rs.msgs.get(id) || rs.buffer.get(id);
    if (msg) {
      msg.reactions = reactions || [];
      if (rs.msgs.has(id) && this.current === roomId) this.upsertElement(msg);
    }
    if (this.thread && this.thread.msgs.has(id)) this.threadUpsert({ ...this.thread.msgs.get(id), reactions: reactions || [] });
  }

  onRead(roomId, userId, messageId) {
    if (userId !== me.id) return;
    const room = this.rooms.get(roomId);
    if (!room) return;
    if (messageId > (room.last_read_id || 0)) room.last_read_id = messageId;
    const rs = this.roomState(roomId);
    if (messageId >= rs.maxSeen) {
      room.unread = 0;
      room.mentions = 0;
      this.renderSidebar();
    }
  }

  onMention(roomId, message) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    if (this.current === roomId && this.canSee()) return;
    room.mentions = (room.mentions || 0) + 1;
    this.renderSidebar();
    const author = message && typeof message === "object" && message.author ? message.author.name : "Someone";
    this.announce(`${author} mentioned you in ${roomLabel(room)}`);
  }

  onTyping(roomId, user, name) {
    const id = idOf(user);
    if (!id || id === me.id) return;
    name = name || (typeof user === "object" && user.name) || (this.people.get(id) || {}).name || "Someone";
    this.roomState(roomId).typing.set(id, { name, until: Date.now() + TYPING_SHOWN_MS });
    if (roomId === this.current) this.renderTyping();
  }

  /** `room.added` names the room by id: its details (name, counts, the people of a DM) come
   * from the API; the subscription (from the start, no `after`) begins at once. */
  async onRoomAdded(room) {
    const id = idOf(room);
    if (!id) return;
    this.subscribe(id);
    try {
      const detail = typeof room === "object" && room.name ? room : await get(`/api/rooms/${id}/`);
      this.mergeRoom({ ...detail, is_member: true });
      if (this.previewRoom && this.previewRoom.id === id) this.previewRoom = null;
      this.renderSidebar();
      if (id === this.current) this.renderHeader();
    } catch (error) {
      console.warn("room.added", error);
    }
  }

  /** A room's own fields changed (name, topic, archived). The frame is the same for everyone,
   * so it says nothing of this person's role, read position or counts: those stay. */
  onRoomUpdated(room) {
    if (!room || !room.id) return;
    const known = this.roomOf(room.id);
    if (!known) return;
    for (const key of ["name", "slug", "topic", "archived", "kind"]) if (key in room) known[key] = room[key];
    if (typeof room.members === "number") known.members = room.members;
    if (known.archived && this.rooms.has(room.id) && room.id !== this.current) this.rooms.delete(room.id);
    this.renderSidebar();
    if (room.id === this.current) this.renderHeader();
  }

  onRoomRemoved(roomId, { quiet = false } = {}) {
    const had = this.rooms.delete(roomId);
    this.renderSidebar();
    if (this.current === roomId) {
      if (had && !quiet) this.toast("You are no longer in that conversation.");
      const next = this.sidebarOrder()[0];
      if (next) this.openRoom(next);
      else this.showNoRooms();
    }
  }

  onError(frame) {
    const ref = String(frame.ref || "");
    if (ref.startsWith("send:")) {
      const clientId = ref.slice(5);
      const item = this.outbox.get(clientId);
      if (!item) return;
      // Passing trouble (too fast, a server hiccup): the same client_id goes again shortly.
      const attempts = (item.attempts || 0) + 1;
      if (TRANSIENT_ERRORS.has(frame.code) && attempts <= AUTO_RETRIES) {
        this.outbox.update(clientId, { attempts });
        setTimeout(() => this.outbox.get(clientId) && this.transmit(this.outbox.get(clientId)), 1500 * attempts);
        return;
      }
      // Refused by the server: re-sending would not help, the person decides (retry or discard).
      this.renderPending(this.outbox.update(clientId, { state: "failed", refused: true, error: frame.detail || "Not sent." }));
      return;
    }
    if (ref.startsWith("sub:")) {
      // The room went away (deleted, or access lost) while this page was not listening.
      if (frame.code === "not_found" || frame.code === "forbidden") this.onRoomRemoved(Number(ref.slice(4)));
      return;
    }
    this.toast(frame.detail || "Something went wrong.");
  }

  // =====================================================================================
  // Sending, with the outbox
  // =====================================================================================

  send(roomId, body, thread, documents = []) {
    if (!roomId) return;
    const attachments = documents.map((doc) => doc.id);
    const item = this.outbox.add({ client_id: uuid(), room: roomId, body, thread: thread || null, attachments, documents, created: Date.now() });
    this.renderPending(item);
    this.transmit(item);
  }

  transmit(item) {
    const frame = { type: "message.send", room: item.room, body: item.body, client_id: item.client_id, ref: `send:${item.client_id}` };
    if (item.thread) frame.thread = item.thread;
    if (item.attachments && item.attachments.length) frame.attachments = item.attachments;
    if (this.socket.send(frame)) this.unconfirmed.set(item.client_id, Date.now());
  }

  /** After every (re)connect: everything not yet confirmed goes again, with its client_id. */
  flushOutbox() {
    for (const item of this.outbox.all()) {
      if (item.refused) continue;
      if (item.state === "failed") this.renderPending(this.outbox.update(item.client_id, { state: "sending", error: null }));
      this.transmit(item);
    }
  }

  confirm(clientId) {
    this.unconfirmed.delete(clientId);
    if (this.outbox.remove(clientId) || document.getElementById(`p-${clientId}`)) {
      for (const node of document.querySelectorAll(`[id="p-${CSS.escape(clientId)}"]`)) node.remove();
    }
  }

  retry(clientId) {
    const item = this.outbox.update(clientId, { state: "sending", error: null, attempts: 0, refused: false });
    if (!item) return;
    this.renderPending(item);
    this.transmit(item);
  }

  discard(clientId) {
    this.outbox.remove(clientId);
    this.unconfirmed.delete(clientId);
    for (const node of document.querySelectorAll(`[id="p-${CSS.escape(clientId)}"]`)) node.remove();
  }

  /** Show (or refresh) a pending message where it belongs: the room's list or the thread's. */
  renderPending(item) {
    const list = item.thread ? (this.thread && this.thread.root === item.thread ? this.thread.list : null) : item.room === this.current ? el.list : null;
    if (!list) return;
    const fresh = pendingElement(item, me);
    const old = list.querySelector(`[id="p-${CSS.escape(item.client_id)}"]`);
    if (old) old.replaceWith(fresh);
    else list.append(fresh);
    if (list === el.list) {
      relayout(el.list, { dividerAfter: this.roomState(this.current).dividerAfter });
      this.updateEmpty();
      this.scrollToBottom();
    } else {
      this.thread.scroller.scrollTop = this.thread.scroller.scrollHeight;
    }
  }

  // =====================================================================================
  // Rooms and history
  // =====================================================================================

  /** Show a room (`around` a message, or at the read position). `link: false` leaves the
   * address as it is (the room opened by default at start-up). */
  async openRoom(roomId, { around = null, focus = true, link = true } = {}) {
    let room = this.rooms.get(roomId);
    if (!room) {
      try {
        room = await get(`/api/rooms/${roomId}/`);
      } catch {
        this.toast("That conversation is not available.");
        if (this.current) history.replaceState(null, "", `#room-${this.current}`);
        return;
      }
      if (!room.is_member) {
        this.previewRoom = room; // a public room looked at, not joined: not in the sidebar
        this.subscribe(roomId);
      } else room = this.mergeRoom(room);
    }
    if (this.current && this.composer) this.drafts.set(this.current, this.composer.value);
    const switching = this.current !== roomId;
    this.current = roomId;
    if (link || location.hash) history.replaceState(null, "", `#room-${roomId}`);
    this.closeDrawer();
    if (switching) this.closePanel();
    const rs = this.roomState(roomId);
    rs.dividerAfter = (room.unread || 0) > 0 ? room.last_read_id || 0 : null;
    this.renderSidebar();
    this.renderHeader();
    this.uploads.render();
    el.list.replaceChildren();
    el.jumpLatest.hidden = true;
    el.emptyRoom.hidden = true;
    el.historyStatus.replaceChildren(h("span", { class: "loading-dots" }, "Loading messages"));
    el.timeline.setAttribute("aria-busy", "true");
    try {
      if (around) await this.loadAround(roomId, around);
      else if (!rs.loaded || !rs.atLatest) await this.loadLatest(roomId);
    } catch (error) {
      if (this.current === roomId) el.historyStatus.replaceChildren(h("span", { class: "form-error" }, `Could not load messages: ${error.message}`));
      return;
    } finally {
      el.timeline.removeAttribute("aria-busy");
    }
    if (this.current !== roomId) return;
    this.renderTimeline();
    const target = around ? document.getElementById(`m-${around}`) : document.getElementById("new-divider");
    if (target) {
      target.scrollIntoView({ block: "center" });
      if (around) {
        target.classList.add("flash");
        setTimeout(() => target.classList.remove("flash"), 2600);
      }
    } else this.scrollToBottom();
    if (el.timeline.scrollTop < 300) this.loadOlder(); // the top is in view already
    this.composer.value = this.drafts.get(roomId) || "";
    this.renderTyping();
    if (focus && window.matchMedia("(min-width: 721px)").matches) this.composer.focus();
    this.loadMembersCount(roomId);
    this.markReadSoon();
  }

  keepRoots(messages) {
    return messages.filter((m) => !m.thread);
  }

  absorb(rs, messages) {
    for (const msg of messages) {
      rs.counted.add(msg.id);
      rs.maxSeen = Math.max(rs.maxSeen, msg.id);
      if (msg.author) this.people.set(msg.author.id, msg.author);
      if (msg.client_id && msg.author && msg.author.id === me.id) this.confirm(msg.client_id);
    }
  }

  async loadLatest(roomId) {
    const rs = this.roomState(roomId);
    const page = await get(`/api/rooms/${roomId}/messages/${qs({ limit: PAGE })}`);
    const messages = results(page);
    rs.hasOlder = page.next_before !== null && page.next_before !== undefined;
    this.absorb(rs, messages);
    if (!rs.atLatest) {
      rs.msgs = new Map();
      rs.atLatest = true;
    }
    for (const msg of this.keepRoots(messages)) if (!rs.msgs.has(msg.id)) rs.msgs.set(msg.id, msg);
    for (const [id, msg] of rs.buffer) rs.msgs.set(id, msg);
    rs.buffer.clear();
    rs.loaded = true;
    if (rs.blind && this.socket.isOpen) {
      // The blind subscription streamed only what committed after it; what committed between
      // this page of history and it comes from a resubscription at the newest message loaded.
      rs.maxSeen = messages.reduce((newest, msg) => Math.max(newest, msg.id), 0);
      this.subscribe(roomId);
    }
  }

  async loadAround(roomId, messageId) {
    const rs = this.roomState(roomId);
    const [older, newer] = await Promise.all([
      get(`/api/rooms/${roomId}/messages/${qs({ before: messageId + 1, limit: AROUND })}`),
      get(`/api/rooms/${roomId}/messages/${qs({ after: messageId, limit: AROUND })}`),
    ]);
    const olderList = results(older);
    const newerList = results(newer);
    this.absorb(rs, [...olderList, ...newerList]);
    const atLatest = newer.next_after === null || newer.next_after === undefined;
    if (!atLatest) {
      for (const [id, msg] of rs.msgs) rs.buffer.set(id, msg);
    }
    rs.msgs = new Map();
    for (const msg of this.keepRoots([...olderList, ...newerList])) rs.msgs.set(msg.id, msg);
    rs.atLatest = atLatest;
    if (atLatest) {
      for (const [id, msg] of rs.buffer) rs.msgs.set(id, msg);
      rs.buffer.clear();
    }
    rs.hasOlder = older.next_before !== null && older.next_before !== undefined;
    rs.loaded = true;
  }

  async loadOlder() {
    const roomId = this.current;
    const rs = this.roomState(roomId);
    if (!rs.loaded || !rs.hasOlder || rs.loadingOlder) return;
    const ids = [...rs.msgs.keys()];
    const oldest = ids.length ? Math.min(...ids) : null;
    if (oldest === null) return;
    rs.loadingOlder = true;
    el.historyStatus.replaceChildren(h("span", { class: "loading-dots" }, "Loading earlier messages"));
    try {
      const page = await get(`/api/rooms/${roomId}/messages/${qs({ before: oldest, limit: PAGE })}`);
      const messages = results(page);
      this.absorb(rs, messages);
      rs.hasOlder = page.next_before !== null && page.next_before !== undefined;
      if (this.current !== roomId) return;
      const before = el.timeline.scrollHeight - el.timeline.scrollTop;
      for (const msg of this.keepRoots(messages)) {
        if (rs.msgs.has(msg.id)) continue;
        rs.msgs.set(msg.id, msg);
        insertInOrder(el.list, this.messageEl(msg));
      }
      relayout(el.list, { dividerAfter: rs.dividerAfter });
      el.timeline.scrollTop = el.timeline.scrollHeight - before;
    } catch (error) {
      this.toast(`Could not load earlier messages: ${error.message}`);
    } finally {
      rs.loadingOlder = false;
      if (this.current === roomId) {
        this.renderHistoryStatus();
        // Still at the top (the page was short): the observer will not fire again by itself.
        if (rs.hasOlder && el.timeline.scrollTop < 300) requestAnimationFrame(() => this.loadOlder());
      }
    }
  }

  async loadNewer() {
    const roomId = this.current;
    const rs = this.roomState(roomId);
    if (!rs.loaded || rs.atLatest || rs.loadingNewer) return;
    const ids = [...rs.msgs.keys()];
    const newest = ids.length ? Math.max(...ids) : 0;
    rs.loadingNewer = true;
    try {
      const page = await get(`/api/rooms/${roomId}/messages/${qs({ after: newest, limit: PAGE })}`);
      const messages = results(page);
      this.absorb(rs, messages);
      if (this.current !== roomId) return;
      for (const msg of this.keepRoots(messages)) {
        rs.msgs.set(msg.id, msg);
        this.upsertElement(msg, false);
      }
      if (page.next_after === null || page.next_after === undefined) {
        rs.atLatest = true;
        for (const [id, msg] of rs.buffer) {
          rs.msgs.set(id, msg);
          this.upsertElement(msg, false);
        }
        rs.buffer.clear();
      }
      relayout(el.list, { dividerAfter: rs.dividerAfter });
      this.markReadSoon();
    } finally {
      rs.loadingNewer = false;
    }
  }

  messageEl(msg) {
    return messageElement(msg, me.id, { canManage: this.canManage(this.roomOf(msg.room)), readOnly: !this.canPost() });
  }

  upsertElement(msg, layout = true) {
    const existing = document.getElementById(`m-${msg.id}`);
    if (existing) {
      if (existing.querySelector(".msg-edit")) return; // being edited: refreshed when done
      fillMessage(existing, msg, me.id, { canManage: this.canManage(this.rooms.get(msg.room)), readOnly: !this.canPost() });
    } else {
      insertInOrder(el.list, this.messageEl(msg));
    }
    if (layout) relayout(el.list, { dividerAfter: this.roomState(this.current).dividerAfter });
    this.updateEmpty();
  }

  renderTimeline() {
    const rs = this.roomState(this.current);
    const sorted = [...rs.msgs.values()].sort((a, b) => a.id - b.id);
    const fragment = document.createDocumentFragment();
    for (const msg of sorted) fragment.append(this.messageEl(msg));
    for (const item of this.outbox.forRoom(this.current)) fragment.append(pendingElement(item, me));
    el.list.replaceChildren(fragment);
    relayout(el.list, { dividerAfter: rs.dividerAfter });
    this.renderHistoryStatus();
    this.updateEmpty();
  }

  renderHistoryStatus() {
    const rs = this.roomState(this.current);
    const room = this.roomOf(this.current);
    if (rs.hasOlder) el.historyStatus.replaceChildren();
    else if (rs.msgs.size)
      el.historyStatus.replaceChildren(
        h("div", { class: "room-start" }, h("strong", {}, room ? roomLabel(room) : ""), h("span", {}, "This is the very beginning of the conversation.")),
      );
    else el.historyStatus.replaceChildren();
  }

  updateEmpty() {
    const empty = !el.list.querySelector(".msg");
    el.emptyRoom.hidden = !empty;
    if (empty) {
      const room = this.roomOf(this.current);
      el.emptyRoom.replaceChildren(
        h("div", { class: "empty-icon", "aria-hidden": "true" }, "💬"),
        h("h2", {}, room && room.kind === "direct" ? `Start a conversation with ${roomTitle(room)}` : `Welcome to ${room ? roomLabel(room) : "the channel"}`),
        h("p", {}, "No messages yet. Say hello — everyone here will see it right away."),
      );
    }
  }

  showNoRooms() {
    this.current = null;
    this.closePanel();
    history.replaceState(null, "", location.pathname);
    el.roomName.textContent = "No conversations yet";
    el.roomTopic.textContent = "";
    el.roomTopic.hidden = true;
    el.membersBtn.hidden = true;
    el.menuBtn.hidden = true;
    el.typing.textContent = "";
    el.jumpLatest.hidden = true;
    el.list.replaceChildren();
    el.historyStatus.replaceChildren();
    el.emptyRoom.hidden = false;
    el.emptyRoom.replaceChildren(
      h("div", { class: "empty-icon", "aria-hidden": "true" }, "✨"),
      h("h2", {}, "You are not in any channel yet"),
      h("p", {}, "Browse the workspace's channels, create one, or start a direct message."),
      h(
        "div",
        { class: "empty-actions" },
        h("button", { type: "button", class: "btn btn-primary", "data-action": "browse" }, "Browse channels"),
        h("button", { type: "button", class: "btn btn-secondary", "data-action": "create-room" }, "Create a channel"),
      ),
    );
    el.composer.hidden = true;
  }

  // ----- read position -----

  canSee() {
    return document.visibilityState === "visible";
  }

  markReadSoon() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.markRead(), 300);
  }

  markRead() {
    const roomId = this.current;
    const room = this.rooms.get(roomId);
    if (!room || !this.canSee()) return;
    const rs = this.roomState(roomId);
    if (!rs.atLatest || !this.nearBottom(120)) return;
    const newest = Math.max(0, ...rs.msgs.keys());
    if (!newest) return;
    if (newest > (room.last_read_id || 0)) {
      room.last_read_id = newest;
      if (!this.socket.send({ type: "read", room: roomId, message: newest })) {
        post(`/api/rooms/${roomId}/read/`, { message: newest }).catch(() => this.pendingReads.set(roomId, newest));
      }
    }
    if (room.unread || room.mentions) {
      room.unread = 0;
      room.mentions = 0;
      this.renderSidebar();
    }
  }

  // =====================================================================================
  // Sidebar, header, presence, typing
  // =====================================================================================

  sidebarOrder() {
    // Archived rooms leave the sidebar, except the one being looked at.
    const rooms = [...this.rooms.values()].filter((r) => !r.archived || r.id === this.current);
    const channels = rooms.filter((r) => r.kind !== "direct").sort((a, b) => a.name.localeCompare(b.name));
    const dms = rooms.filter((r) => r.kind === "direct").sort((a, b) => roomTitle(a).localeCompare(roomTitle(b)));
    return [...channels, ...dms].map((r) => r.id);
  }

  renderSidebar() {
    const channels = [];
    const dms = [];
    let otherUnread = 0;
    let total = 0;
    for (const id of this.sidebarOrder()) {
      const room = this.rooms.get(id);
      const unread = room.unread || 0;
      const mentions = room.mentions || 0;
      total += unread;
      if (id !== this.current) otherUnread += unread + mentions;
      const badges = [];
      if (mentions) badges.push(h("span", { class: "badge badge-mention", title: `${mentions} mention${mentions === 1 ? "" : "s"}` }, `@${mentions > 99 ? "99+" : mentions}`));
      if (unread) badges.push(h("span", { class: "badge", title: `${unread} unread` }, unread > 99 ? "99+" : String(unread)));
      const srState = [unread ? `${unread} unread` : "", mentions ? `${mentions} mentions` : ""].filter(Boolean).join(", ");
      let lead;
      if (room.kind === "direct") {
        const others = dmPeople(room);
        if (others.length === 1) {
          const status = this.presence.get(others[0].id) || "offline";
          lead = h("span", { class: "presence-dot", "data-presence": status, title: status, "aria-hidden": "true" });
        } else lead = h("span", { class: "room-glyph", "aria-hidden": "true" }, String(others.length + 1));
      } else lead = h("span", { class: "room-glyph", "aria-hidden": "true" }, room.kind === "private" ? "🔒" : "#");
      const presenceText =
        room.kind === "direct" && dmPeople(room).length === 1 ? `, ${this.presence.get(dmPeople(room)[0].id) || "offline"}` : "";
      const link = h(
        "a",
        {
          href: `#room-${id}`,
          class: `room-link${unread || mentions ? " unread" : ""}`,
          "data-room": id,
          "aria-current": id === this.current ? "page" : null,
          "aria-label": `${roomLabel(room)}${presenceText}${srState ? `, ${srState}` : ""}`,
        },
        lead,
        h("span", { class: "room-name" }, roomTitle(room)),
        badges,
      );
      (room.kind === "direct" ? dms : channels).push(h("li", { class: "room-item" }, link));
    }
    el.roomList.replaceChildren(...(channels.length ? channels : [h("li", { class: "room-empty" }, "No channels yet.")]));
    el.dmList.replaceChildren(...(dms.length ? dms : [h("li", { class: "room-empty" }, "No direct messages yet.")]));
    el.drawerBadge.hidden = !otherUnread;
    el.drawerBadge.textContent = otherUnread > 99 ? "99+" : String(otherUnread);
    const base = document.title.replace(/^\(\d+\+?\) /, "");
    document.title = total ? `(${total > 99 ? "99+" : total}) ${base}` : base;
  }

  renderHeader() {
    const room = this.roomOf(this.current);
    if (!room) return;
    el.roomName.replaceChildren(
      room.kind === "direct" ? "" : h("span", { class: "room-hash", "aria-hidden": "true" }, room.kind === "private" ? "🔒" : "#"),
      roomTitle(room),
      room.archived ? h("span", { class: "tag" }, "archived") : "",
    );
    el.roomTopic.textContent = room.topic || (room.kind === "direct" ? "Direct message" : "");
    el.roomTopic.hidden = !el.roomTopic.textContent;
    el.membersBtn.hidden = false;
    this.showMembersCount(room.members);
    el.composer.hidden = false;
    const member = this.rooms.has(room.id);
    const manage = this.canManage(room);
    el.menuBtn.hidden = room.kind === "direct" || !(member || manage);
    for (const item of el.menu.querySelectorAll("[data-needs]")) {
      item.hidden = item.dataset.needs === "manage" ? !manage || room.archived : !member;
    }
    const archiveItem = el.menu.querySelector('[data-action="archive"]');
    if (archiveItem) archiveItem.textContent = "Archive channel…";
    el.composer.querySelector(".composer-input").placeholder = `Message ${roomLabel(room)}`;
    if (!el.emptyRoom.hidden) this.updateEmpty();
    if (config.read_only) this.readOnly(config.read_only, null, "/settings/billing/");
    else if (room.archived) this.readOnly("This channel is archived: its history stays, nobody can post.");
    else if (!member) this.readOnly(null, room);
    else {
      el.composerBox.hidden = false;
      el.composerReadonly.hidden = true;
    }
  }

  readOnly(text, joinable, billing) {
    el.composerBox.hidden = true;
    el.composerReadonly.hidden = false;
    el.composerReadonly.replaceChildren(
      text ? h("span", {}, text) : h("span", {}, `You are viewing ${roomLabel(joinable)}.`),
      billing ? h("a", { href: billing }, "See plans and billing") : "",
      joinable ? h("button", { type: "button", class: "btn btn-primary", "data-action": "join", "data-room": joinable.id }, "Join channel") : "",
    );
  }

  canManage(room) {
    if (!room || room.kind === "direct") return false;
    return me.is_admin || room.role === "owner" || room.role === "admin";
  }

  canPost() {
    const room = this.rooms.get(this.current);
    return !!room && !room.archived;
  }

  async loadMembersCount(roomId) {
    const room = this.roomOf(roomId);
    if (room && typeof room.members === "number") {
      this.showMembersCount(room.members);
      return;
    }
    try {
      // The detail carries the count; the sidebar's list does not.
      const detail = await get(`/api/rooms/${roomId}/`);
      if (room && typeof detail.members === "number") room.members = detail.members;
      if (this.current === roomId) this.showMembersCount(detail.members);
    } catch (error) {
      console.warn("members count", error);
    }
  }

  showMembersCount(count) {
    const known = typeof count === "number";
    el.membersCount.textContent = known ? String(count) : "";
    el.membersBtn.setAttribute("aria-label", known ? `${count} member${count === 1 ? "" : "s"}` : "Members");
  }

  setPresence(userId, status, render = true) {
    if (!userId) return;
    this.presence.set(userId, status === "active" ? "online" : status);
    if (render) this.renderSidebar();
  }

  renderTyping() {
    const rs = this.roomState(this.current);
    const now = Date.now();
    const names = [];
    for (const [id, entry] of rs.typing) {
      if (entry.until < now) rs.typing.delete(id);
      else names.push(entry.name);
    }
    let text = "";
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = "Several people are typing…";
    if (el.typing.textContent !== text) el.typing.textContent = text;
  }

  // =====================================================================================
  // Connection banner, activity, ticking
  // =====================================================================================

  showConnection(detail) {
    el.app.dataset.connection = detail.state;
    this.connection = detail;
    clearTimeout(this.bannerTimer);
    el.banner.className = "conn-banner";
    if (detail.state === "open") {
      if (detail.reconnected) {
        el.banner.hidden = false;
        el.banner.classList.add("ok");
        el.bannerText.textContent = "Reconnected. You are up to date.";
        el.bannerRetry.hidden = true;
        this.bannerTimer = setTimeout(() => (el.banner.hidden = true), 2500);
      } else el.banner.hidden = true;
      return;
    }
    el.banner.hidden = false;
    el.bannerRetry.hidden = detail.state === "connecting";
    if (detail.state === "connecting") {
      el.banner.classList.add("info");
      el.bannerText.textContent = this.socket.everOpened ? "Reconnecting…" : "Connecting…";
    } else if (detail.state === "offline") {
      el.banner.classList.add("warn");
      el.bannerText.textContent = "You are offline. Messages you send will be delivered when the connection is back.";
    } else {
      el.banner.classList.add("warn");
      this.renderCountdown();
    }
  }

  renderCountdown() {
    if (!this.connection || this.connection.state !== "waiting") return;
    const seconds = Math.max(0, Math.ceil((this.connection.retryAt - Date.now()) / 1000));
    el.bannerText.textContent = `Connection lost. Retrying in ${seconds}s…`;
  }

  tick() {
    this.renderCountdown();
    if (this.current) this.renderTyping();
    for (const [clientId, since] of this.unconfirmed) {
      if (Date.now() - since > UNCONFIRMED_AFTER_MS && this.socket.isOpen) {
        this.unconfirmed.delete(clientId);
        // Shown as not sent (with Retry); it still goes again by itself after a reconnect.
        const item = this.outbox.update(clientId, { state: "failed", error: "Not confirmed by the server yet." });
        if (item) this.renderPending(item);
      }
    }
    if (this.myStatus === "active" && Date.now() - this.lastActivity > IDLE_AFTER_MS) this.setMyStatus("idle");
  }

  watchActivity() {
    const active = () => {
      this.lastActivity = Date.now();
      if (this.myStatus !== "active") this.setMyStatus("active");
    };
    for (const type of ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focus"]) window.addEventListener(type, active, { passive: true });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        active();
        this.markReadSoon();
      }
    });
  }

  setMyStatus(status) {
    this.myStatus = status;
    this.socket.send({ type: "presence", status });
    el.myPresence.dataset.presence = status;
    el.myPresenceLabel.textContent = status === "active" ? "Active" : "Away";
  }

  nearBottom(slack = 80) {
    return el.timeline.scrollHeight - el.timeline.scrollTop - el.timeline.clientHeight < slack;
  }

  scrollToBottom() {
    el.timeline.scrollTop = el.timeline.scrollHeight;
    el.jumpLatest.hidden = true;
  }

  announce(text) {
    const line = h("p", {}, text);
    el.announcer.append(line);
    while (el.announcer.childElementCount > 5) el.announcer.firstChild.remove();
  }

  toast(text) {
    let box = document.getElementById("toasts");
    if (!box) {
      box = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
      document.body.append(box);
    }
    const item = h("div", { class: "toast" }, text);
    box.append(item);
    setTimeout(() => item.remove(), 5000);
  }

  // =====================================================================================
  // Message actions: react, edit, delete, thread
  // =====================================================================================

  findMessage(id, inThread) {
    if (inThread && this.thread) return this.thread.msgs.get(id);
    const rs = this.roomState(this.current);
    return rs.msgs.get(id) || (this.thread && this.thread.msgs.get(id));
  }

  async toggleReaction(msg, emoji) {
    const reaction = (msg.reactions || []).find((r) => r.emoji === emoji);
    const mine = reaction && (reaction.users || []).includes(me.id);
    const type = mine ? "reaction.remove" : "reaction.add";
    if (this.socket.send({ type, message: msg.id, emoji, ref: `react:${msg.id}` })) return;
    try {
      if (mine) await del(`/api/messages/${msg.id}/reactions/`, { emoji });
      else await post(`/api/messages/${msg.id}/reactions/`, { emoji });
    } catch (error) {
      this.toast(error.message);
    }
  }

  openPicker(button, msg) {
    this.closePicker();
    const picker = h("div", { class: "emoji-picker", role: "dialog", "aria-label": "Choose a reaction" });
    for (const emoji of EMOJI) {
      picker.append(
        h(
          "button",
          {
            type: "button",
            class: "emoji-btn",
            "aria-label": `React with ${emoji}`,
            onclick: () => {
              this.closePicker();
              this.toggleReaction(msg, emoji);
            },
          },
          emoji,
        ),
      );
    }
    document.body.append(picker);
    const rect = button.getBoundingClientRect();
    const width = picker.offsetWidth;
    picker.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, rect.right - width))}px`;
    const top = rect.top - picker.offsetHeight - 6;
    picker.style.top = `${top < 8 ? rect.bottom + 6 : top}px`;
    this.picker = picker;
    this.pickerReturn = button;
    picker.querySelector("button").focus();
    picker.addEventListener("keydown", (event) => {
      const buttons = [...picker.querySelectorAll("button")];
      const index = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        buttons[(index + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length].focus();
      }
    });
  }

  closePicker() {
    if (!this.picker) return false;
    this.picker.remove();
    this.picker = null;
    if (this.pickerReturn && document.contains(this.pickerReturn)) this.pickerReturn.focus();
    return true;
  }

  startEdit(li, msg) {
    if (!msg || msg.deleted || !msg.author || msg.author.id !== me.id) return;
    const body = li.querySelector(".msg-body");
    const area = h("textarea", { class: "composer-input msg-edit-input", "aria-label": "Edit message", rows: 2 });
    area.value = msg.body;
    const form = h(
      "form",
      { class: "msg-edit" },
      area,
      h(
        "div",
        { class: "msg-edit-actions" },
        h("span", { class: "muted" }, "Enter to save · Esc to cancel"),
        h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-edit": "cancel" }, "Cancel"),
        h("button", { type: "submit", class: "btn btn-primary btn-sm" }, "Save"),
      ),
    );
    const done = () => {
      const fresh = this.findMessage(msg.id, li.id.startsWith("t-")) || msg;
      fillMessage(li, fresh, me.id, { inThread: li.id.startsWith("t-"), canManage: this.canManage(this.rooms.get(msg.room)) });
      if (li.closest("#message-list")) relayout(el.list, { dividerAfter: this.roomState(this.current).dividerAfter });
    };
    const save = async () => {
      const text = area.value.trim();
      if (!text) return;
      if (text !== msg.body) {
        msg.body = text;
        if (!this.socket.send({ type: "message.edit", id: msg.id, body: text, ref: `edit:${msg.id}` })) {
          try {
            this.onUpdated(await patch(`/api/messages/${msg.id}/`, { body: text }));
          } catch (error) {
            this.toast(error.message);
          }
        }
      }
      done();
      (li.id.startsWith("t-") ? this.threadComposerCtl : this.composer).focus();
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save();
    });
    form.querySelector('[data-edit="cancel"]').addEventListener("click", done);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        save();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        done();
      }
    });
    body.replaceWith(form);
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  editLast() {
    const rs = this.roomState(this.current);
    const mine = [...rs.msgs.values()].filter((m) => m.author && m.author.id === me.id && !m.deleted).sort((a, b) => b.id - a.id)[0];
    if (!mine) return false;
    const li = document.getElementById(`m-${mine.id}`);
    if (!li) return false;
    li.scrollIntoView({ block: "nearest" });
    this.startEdit(li, mine);
    return true;
  }

  async confirmDelete(msg) {
    const ok = await confirmDialog("Delete message?", "It will be shown as “message deleted” to everyone. This cannot be undone.", "Delete");
    if (!ok) return;
    if (this.socket.send({ type: "message.delete", id: msg.id, ref: `delete:${msg.id}` })) return;
    try {
      await del(`/api/messages/${msg.id}/`);
      this.onDeleted(msg.id, msg.room);
    } catch (error) {
      this.toast(error.message);
    }
  }

  // ----- thread panel -----

  async openThread(msg) {
    const list = h("ol", { class: "message-list thread-list", "aria-label": "Replies" });
    this.thread = { root: msg.id, room: msg.room, msgs: new Map(), list, scroller: el.panelBody };
    this.openPanel("Thread", "thread");
    el.panelBody.replaceChildren(h("p", { class: "muted panel-loading" }, "Loading replies…"), list);
    el.threadComposer.hidden = !this.canPost();
    try {
      const messages = results(await get(`/api/rooms/${msg.room}/messages/${qs({ thread: msg.id, after: Math.max(1, msg.id - 1), limit: 200 })}`));
      if (!this.thread || this.thread.root !== msg.id) return;
      el.panelBody.querySelector(".panel-loading")?.remove();
      const all = messages.some((m) => m.id === msg.id) ? messages : [msg, ...messages];
      for (const m of all) this.threadUpsert(m, false);
      for (const item of this.outbox.forRoom(msg.room, msg.id)) list.append(pendingElement(item, me));
      relayout(list);
      el.panelBody.scrollTop = el.panelBody.scrollHeight;
    } catch (error) {
      el.panelBody.querySelector(".panel-loading").textContent = `Could not load the thread: ${error.message}`;
    }
    this.threadComposerCtl.focus();
  }

  threadUpsert(msg, layout = true) {
    if (!this.thread) return;
    const known = this.thread.msgs.get(msg.id);
    const merged = known ? { ...known, ...msg } : msg;
    this.thread.msgs.set(msg.id, merged);
    const existing = this.thread.list.querySelector(`[id="t-${msg.id}"]`);
    const opts = { inThread: true, canManage: this.canManage(this.rooms.get(msg.room)), readOnly: !this.canPost() };
    if (existing) {
      if (!existing.querySelector(".msg-edit")) fillMessage(existing, merged, me.id, opts);
    } else {
      const li = messageElement(merged, me.id, opts);
      if (merged.id === this.thread.root) li.classList.add("thread-root");
      insertInOrder(this.thread.list, li);
    }
    if (layout) {
      relayout(this.thread.list);
      el.panelBody.scrollTop = el.panelBody.scrollHeight;
    }
  }

  // ----- search -----

  async search(query) {
    if (!query.trim()) return;
    this.thread = null;
    this.openPanel("Search", "search");
    el.threadComposer.hidden = true;
    const scope = h("label", { class: "search-scope" }, h("input", { type: "checkbox", id: "search-here" }), " Only in this conversation");
    const list = h("ul", { class: "search-results", "aria-live": "polite", "aria-busy": "true" });
    const status = h("p", { class: "muted" }, `Searching for “${query}”…`);
    el.panelBody.replaceChildren(scope, status, list);
    const run = async () => {
      const here = scope.querySelector("input").checked;
      list.setAttribute("aria-busy", "true");
      try {
        const data = await get(`/api/search/${qs({ q: query, room: here ? this.current : undefined })}`);
        const found = results(data);
        list.replaceChildren();
        status.textContent = found.length ? `${found.length}${data && data.next ? "+" : ""} result${found.length === 1 ? "" : "s"} for “${query}”` : `Nothing found for “${query}”.`;
        for (const item of found) list.append(this.searchResult(item, query));
      } catch (error) {
        status.textContent = `Search failed: ${error.message}`;
      } finally {
        list.removeAttribute("aria-busy");
      }
    };
    scope.querySelector("input").addEventListener("change", run);
    await run();
  }

  searchResult(item, query) {
    if ((item.type || item.kind) === "document" && item.document) return h("li", {}, documentHit(item, query));
    const msg = item.message && typeof item.message === "object" ? item.message : item;
    const roomId = idOf(item.room ?? msg.room);
    const room = this.rooms.get(roomId);
    const roomName = room ? roomLabel(room) : item.room && item.room.name ? `#${item.room.name}` : "a channel";
    const messageId = Number(msg.id ?? item.id);
    const kind = item.kind || item.type || "message";
    const snippet = item.snippet || item.highlight || item.headline || msg.snippet || "";
    const text = h("div", { class: "result-snippet" });
    if (snippet) text.append(snippetNodes(snippet));
    else text.textContent = msg.body || item.title || "";
    const button = h(
      "button",
      { type: "button", class: "result", "data-room": roomId, "data-message": messageId },
      h(
        "div",
        { class: "result-meta" },
        h("strong", {}, kind === "document" ? `📄 ${item.title || item.name || "Document"}` : msg.author ? msg.author.name : ""),
        h("span", { class: "muted" }, ` in ${roomName}`),
        msg.created_at ? h("time", { class: "muted", datetime: msg.created_at }, ` · ${new Date(msg.created_at).toLocaleDateString()}`) : "",
      ),
      text,
    );
    if (kind !== "document") {
      button.addEventListener("click", () => {
        if (window.matchMedia("(max-width: 1100px)").matches) this.closePanel();
        this.openRoom(roomId, { around: messageId, focus: false });
      });
    } else button.disabled = !roomId;
    return h("li", {}, button);
  }

  // ----- panel and drawer -----

  openPanel(title, mode) {
    el.panelTitle.textContent = title;
    el.panel.hidden = false;
    el.panel.dataset.mode = mode;
    el.app.classList.add("panel-open");
  }

  closePanel() {
    if (el.panel.hidden) return false;
    el.panel.hidden = true;
    el.app.classList.remove("panel-open");
    this.thread = null;
    el.panelBody.replaceChildren();
    return true;
  }

  openDrawer() {
    el.app.classList.add("drawer-open");
    el.backdrop.hidden = false;
    el.drawerToggle.setAttribute("aria-expanded", "true");
    const current = el.sidebar.querySelector('[aria-current="page"]') || el.sidebar.querySelector("a, button");
    if (current) current.focus();
  }

  closeDrawer() {
    if (!el.app.classList.contains("drawer-open")) return false;
    el.app.classList.remove("drawer-open");
    el.backdrop.hidden = true;
    el.drawerToggle.setAttribute("aria-expanded", "false");
    return true;
  }

  // =====================================================================================
  // Joining, leaving, archiving (the dialogs are in dialogs.js)
  // =====================================================================================

  /** A room this person just created, opened or joined: into the sidebar, followed, shown. */
  async enterRoom(room) {
    this.mergeRoom({ ...room, is_member: true });
    this.subscribe(room.id);
    this.renderSidebar();
    await this.openRoom(room.id);
  }

  async joinRoom(roomId) {
    try {
      await post(`/api/rooms/${roomId}/members/`, { user: me.id });
      this.previewRoom = null;
      await this.enterRoom(await get(`/api/rooms/${roomId}/`));
    } catch (error) {
      this.toast(error.message);
    }
  }

  async leaveRoom() {
    const room = this.rooms.get(this.current);
    if (!room) return;
    const ok = await confirmDialog(`Leave ${roomLabel(room)}?`, room.kind === "private" ? "You will need an invitation to come back." : "You can join again from Browse channels.", "Leave");
    if (!ok) return;
    try {
      await del(`/api/rooms/${room.id}/members/${me.id}/`);
      this.socket.send({ type: "unsubscribe", room: room.id });
      this.onRoomRemoved(room.id, { quiet: true });
    } catch (error) {
      this.toast(error.message);
    }
  }

  async archiveRoom() {
    const room = this.rooms.get(this.current);
    if (!room) return;
    const ok = await confirmDialog(`Archive ${roomLabel(room)}?`, "Nobody will be able to post in it; its history stays searchable.", "Archive");
    if (!ok) return;
    try {
      this.onRoomUpdated(await patch(`/api/rooms/${room.id}/`, { archived: true }));
      this.renderHeader();
    } catch (error) {
      this.toast(error.message);
    }
  }

  switchBy(step) {
    const order = this.sidebarOrder();
    if (!order.length) return;
    const index = order.indexOf(this.current);
    this.openRoom(order[(index + step + order.length) % order.length]);
  }

  // =====================================================================================
  // Wiring
  // =====================================================================================

  bindUi() {
    this.touch = window.matchMedia("(hover: none)");
    document.addEventListener("click", (event) => {
      // Touch screens have no hover: a tap on a message shows its actions.
      const tapped = event.target.closest(".msg");
      if (tapped && this.touch.matches && !event.target.closest("button, a, textarea")) {
        for (const other of document.querySelectorAll(".msg.touched")) if (other !== tapped) other.classList.remove("touched");
        tapped.classList.toggle("touched");
      }
      const link = event.target.closest("a[data-room]");
      if (link) {
        event.preventDefault();
        this.openRoom(Number(link.dataset.room));
        return;
      }
      const actionEl = event.target.closest("[data-action]");
      if (this.picker && !event.target.closest(".emoji-picker") && !(actionEl && actionEl.dataset.action === "react")) this.closePicker();
      if (!el.menu.hidden && !event.target.closest(".menu-wrap")) this.closeMenu();
      if (!actionEl) return;
      const action = actionEl.dataset.action;
      const li = actionEl.closest(".msg");
      const inThread = !!(li && li.id.startsWith("t-"));
      const msg = li && li.dataset.id ? this.findMessage(Number(li.dataset.id), inThread) : null;
      switch (action) {
        case "switcher":
          return quickSwitcher(this);
        case "create-room":
          return createRoom(this);
        case "browse":
          return browseRooms(this);
        case "new-dm":
          return newDirect(this);
        case "help":
          return $("dialog-help").showModal();
        case "open-drawer":
          return this.openDrawer();
        case "close-drawer":
          return this.closeDrawer();
        case "close-panel":
          return this.closePanel();
        case "members":
          return showMembers(this);
        case "rename":
          this.closeMenu();
          return renameRoom(this);
        case "archive":
          this.closeMenu();
          return this.archiveRoom();
        case "leave":
          this.closeMenu();
          return this.leaveRoom();
        case "join":
          return this.joinRoom(Number(actionEl.dataset.room));
        case "react":
          return msg && (this.picker ? this.closePicker() : this.openPicker(actionEl, msg));
        case "toggle-reaction":
          return msg && this.toggleReaction(msg, actionEl.dataset.emoji);
        case "edit":
          return msg && this.startEdit(li, msg);
        case "delete":
          return msg && this.confirmDelete(msg);
        case "thread":
          return msg && this.openThread(msg);
        case "retry":
          return li && this.retry(li.dataset.clientId);
        case "discard":
          return li && this.discard(li.dataset.clientId);
        default:
          return undefined;
      }
    });

    el.menuBtn.addEventListener("click", () => (el.menu.hidden ? this.openMenu() : this.closeMenu()));
    el.menu.addEventListener("keydown", (event) => {
      const items = [...el.menu.querySelectorAll("[role=menuitem]:not([hidden])")];
      const index = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        items[(index + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length].focus();
      }
    });
    el.bannerRetry.addEventListener("click", () => this.socket.retryNow());
    el.jumpLatest.addEventListener("click", async () => {
      const rs = this.roomState(this.current);
      if (!rs.atLatest) {
        await this.loadLatest(this.current);
        this.renderTimeline();
      }
      this.scrollToBottom();
      this.markReadSoon();
    });
    // The top of the history in view (by scrolling, or a short first page): load older.
    new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && this.loadOlder(), {
      root: el.timeline,
      rootMargin: "300px 0px 0px 0px",
    }).observe(el.historyStatus);
    el.timeline.addEventListener(
      "scroll",
      () => {
        if (el.timeline.scrollTop < 300) this.loadOlder();
        const rs = this.roomState(this.current);
        if (this.nearBottom(300) && !rs.atLatest) this.loadNewer();
        if (this.nearBottom()) {
          el.jumpLatest.hidden = true;
          this.markReadSoon();
        }
      },
      { passive: true },
    );
    el.searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(el.searchInput.value);
    });
    for (const dialog of document.querySelectorAll("dialog")) {
      dialog.addEventListener("click", (event) => {
        if (event.target.closest("[data-close]") || event.target === dialog) dialog.close();
      });
    }
    document.addEventListener("keydown", (event) => this.shortcut(event));
    window.addEventListener("hashchange", () => {
      const id = Number((location.hash.match(/^#room-(\d+)/) || [])[1]);
      if (id && id !== this.current) this.openRoom(id);
    });
  }

  /** The paperclip, files dropped on the conversation and files pasted in the composer all go to
   * the tray, as attachments of the next message in this room. */
  bindUploads() {
    const add = (files) => {
      if (!this.current || !this.canPost()) return;
      this.uploads.add(files);
      this.composer.focus();
    };
    bindPicker($("attach-btn"), $("attach-input"), add);
    bindPaste(this.composer.input, add);
    bindDropZone(el.main, add, () => !!this.current && this.canPost());
    window.addEventListener("documentfinished", ({ detail: doc }) => {
      if (!this.uploads.ready().some((waiting) => waiting.id === doc.id)) return;
      this.announce(doc.status === "ready" ? `${doc.name} is ready to send.` : `${doc.name} could not be read. ${doc.error || ""}`);
    });
  }

  openMenu() {
    el.menu.hidden = false;
    el.menuBtn.setAttribute("aria-expanded", "true");
    el.menu.querySelector("[role=menuitem]:not([hidden])")?.focus();
  }

  closeMenu() {
    if (el.menu.hidden) return false;
    el.menu.hidden = true;
    el.menuBtn.setAttribute("aria-expanded", "false");
    return true;
  }

  shortcut(event) {
    const mod = isMac ? event.metaKey : event.ctrlKey;
    if (mod && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
      quickSwitcher(this);
      return;
    }
    if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys (Esc closes it)
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      this.switchBy(event.key === "ArrowUp" ? -1 : 1);
      return;
    }
    if (event.key === "Escape") {
      if (this.closePicker() || this.closeMenu() || this.closePanel() || this.closeDrawer()) event.preventDefault();
      return;
    }
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      event.preventDefault();
      $("dialog-help").showModal();
    } else if (event.key === "/") {
      event.preventDefault();
      el.searchInput.focus();
    }
  }
}

const app = new ChatApp();
window.chatApp = app; // reachable from the console (and the browser tests)
app.start().catch((error) => {
  console.error(error);
  el.app.dataset.state = "error";
});

