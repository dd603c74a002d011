// Opening a room and paging through its history: the newest page, the pages around a message
// (a search hit, a link), earlier pages as the top comes into view, later ones on the way back
// down. How the pages merge is decided in history_data.js.

import { get } from "./api.js";
import { notePeople, roomState } from "./chat_data.js";
import { me } from "./config.js";
import { el } from "./dom.js";
import { loadMembersCount, renderHeader } from "./header.js";
import { AROUND, PAGE, absorb, addNewer, addOlder, applyAround, applyLatest, messagesPath, newestInWindow, newestOf, oldestInWindow } from "./history_data.js";
import { insertInOrder, relayout } from "./messages.js";
import { toast } from "./notices.js";
import { hasCursor } from "./payload.js";
import { renderTyping } from "./presence.js";
import { confirm } from "./sending.js";
import { closeDrawer, keepRoom, markReadSoon, renderSidebar } from "./sidebar.js";
import { subscribe } from "./subscriptions.js";
import { closePanel } from "./threads.js";
import { messageEl, nearBottom, renderHistoryStatus, renderTimeline, scrollToBottom, showHistoryLoading, upsertElement } from "./timeline.js";
import { h, results } from "./util.js";

// Closer than this (px) to an end of the timeline and the next page that way is fetched.
const EDGE_PX = 300;
const FLASH_MS = 2600;

/** Messages of a page this page has now seen: their authors are known, and this person's own
 * messages leave the outbox (the page may bring them before their `message.new`). */
function notePage(app, messages) {
  notePeople(app, messages);
  for (const msg of messages) if (msg.client_id && msg.author && msg.author.id === me.id) confirm(app, msg.client_id);
}

/** Show a room (`around` a message, or at the read position). `link: false` leaves the
 * address as it is (the room opened by default at start-up). */
export async function openRoom(app, roomId, { around = null, focus = true, link = true } = {}) {
  let room = app.rooms.get(roomId);
  if (!room) {
    try {
      room = await get(`/api/rooms/${roomId}/`);
    } catch {
      toast("That conversation is not available.");
      if (app.current) history.replaceState(null, "", `#room-${app.current}`);
      return;
    }
    if (!room.is_member) {
      app.previewRoom = room; // a public room looked at, not joined: not in the sidebar
      subscribe(app, roomId);
    } else room = keepRoom(app, room);
  }
  if (app.current && app.composer) app.drafts.set(app.current, app.composer.value);
  const switching = app.current !== roomId;
  app.current = roomId;
  if (link || location.hash) history.replaceState(null, "", `#room-${roomId}`);
  closeDrawer();
  if (switching) closePanel(app);
  const rs = roomState(app, roomId);
  rs.dividerAfter = (room.unread || 0) > 0 ? room.last_read_id || 0 : null;
  renderSidebar(app);
  renderHeader(app);
  app.uploads.render();
  el.list.replaceChildren();
  el.jumpLatest.hidden = true;
  el.emptyRoom.hidden = true;
  showHistoryLoading("Loading messages");
  el.timeline.setAttribute("aria-busy", "true");
  try {
    if (around) await loadAround(app, roomId, around);
    else if (!rs.loaded || !rs.atLatest) await loadLatest(app, roomId);
  } catch (error) {
    if (app.current === roomId) el.historyStatus.replaceChildren(h("span", { class: "form-error" }, `Could not load messages: ${error.message}`));
    return;
  } finally {
    el.timeline.removeAttribute("aria-busy");
  }
  if (app.current !== roomId) return;
  renderTimeline(app);
  const target = around ? document.getElementById(`m-${around}`) : document.getElementById("new-divider");
  if (target) {
    target.scrollIntoView({ block: "center" });
    if (around) {
      target.classList.add("flash");
      setTimeout(() => target.classList.remove("flash"), FLASH_MS);
    }
  } else scrollToBottom();
  if (el.timeline.scrollTop < EDGE_PX) loadOlder(app); // the top is in view already
  app.composer.value = app.drafts.get(roomId) || "";
  renderTyping(app);
  if (focus && window.matchMedia("(min-width: 721px)").matches) app.composer.focus();
  loadMembersCount(app, roomId);
  markReadSoon(app);
}

async function loadLatest(app, roomId) {
  const rs = roomState(app, roomId);
  const page = await get(messagesPath(roomId, { limit: PAGE }));
  const messages = results(page);
  notePage(app, messages);
  applyLatest(rs, page, messages);
  if (rs.blind && app.socket.isOpen) {
    // The blind subscription streamed only what committed after it; what committed between
    // this page of history and it comes from a resubscription at the newest message loaded.
    rs.maxSeen = newestOf(messages);
    subscribe(app, roomId);
  }
}

async function loadAround(app, roomId, messageId) {
  const rs = roomState(app, roomId);
  const [older, newer] = await Promise.all([
    get(messagesPath(roomId, { before: messageId + 1, limit: AROUND })),
    get(messagesPath(roomId, { after: messageId, limit: AROUND })),
  ]);
  const olderList = results(older);
  const newerList = results(newer);
  notePage(app, [...olderList, ...newerList]);
  applyAround(rs, older, olderList, newer, newerList);
}

async function loadOlder(app) {
  const roomId = app.current;
  const rs = roomState(app, roomId);
  if (!rs.loaded || !rs.hasOlder || rs.loadingOlder) return;
  const oldest = oldestInWindow(rs);
  if (oldest === null) return;
  rs.loadingOlder = true;
  showHistoryLoading("Loading earlier messages");
  try {
    const page = await get(messagesPath(roomId, { before: oldest, limit: PAGE }));
    const messages = results(page);
    notePage(app, messages);
    rs.hasOlder = hasCursor(page.next_before);
    absorb(rs, messages);
    if (app.current !== roomId) return;
    const before = el.timeline.scrollHeight - el.timeline.scrollTop;
    for (const msg of addOlder(rs, messages)) insertInOrder(el.list, messageEl(app, msg));
    relayout(el.list, { dividerAfter: rs.dividerAfter });
    el.timeline.scrollTop = el.timeline.scrollHeight - before;
  } catch (error) {
    toast(`Could not load earlier messages: ${error.message}`);
  } finally {
    rs.loadingOlder = false;
    if (app.current === roomId) {
      renderHistoryStatus(app);
      // Still at the top (the page was short): the observer will not fire again by itself.
      if (rs.hasOlder && el.timeline.scrollTop < EDGE_PX) requestAnimationFrame(() => loadOlder(app));
    }
  }
}

async function loadNewer(app) {
  const roomId = app.current;
  const rs = roomState(app, roomId);
  if (!rs.loaded || rs.atLatest || rs.loadingNewer) return;
  const newest = newestInWindow(rs);
  rs.loadingNewer = true;
  try {
    const page = await get(messagesPath(roomId, { after: newest, limit: PAGE }));
    const messages = results(page);
    notePage(app, messages);
    absorb(rs, messages);
    if (app.current !== roomId) return;
    for (const msg of addNewer(rs, page, messages)) upsertElement(app, msg, false);
    relayout(el.list, { dividerAfter: rs.dividerAfter });
    markReadSoon(app);
  } finally {
    rs.loadingNewer = false;
  }
}

/** Back to the newest messages (the "Jump to latest" button). */
async function jumpToLatest(app) {
  const rs = roomState(app, app.current);
  if (!rs.atLatest) {
    await loadLatest(app, app.current);
    renderTimeline(app);
  }
  scrollToBottom();
  markReadSoon(app);
}

/** Paging follows the scroll: the top in view loads earlier pages, the bottom (of a window not
 * at the newest) later ones; at the bottom the room is read. */
export function bindTimeline(app) {
  el.jumpLatest.addEventListener("click", () => jumpToLatest(app));
  // The top of the history in view (by scrolling, or a short first page): load older.
  new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadOlder(app), {
    root: el.timeline,
    rootMargin: `${EDGE_PX}px 0px 0px 0px`,
  }).observe(el.historyStatus);
  el.timeline.addEventListener(
    "scroll",
    () => {
      if (el.timeline.scrollTop < EDGE_PX) loadOlder(app);
      const rs = roomState(app, app.current);
      if (nearBottom(EDGE_PX) && !rs.atLatest) loadNewer(app);
      if (nearBottom()) {
        el.jumpLatest.hidden = true;
        markReadSoon(app);
      }
    },
    { passive: true },
  );
}
