"""One channel-layer subscriber per process, handing each event to the local sockets that want it.

The Channels tutorial pattern gives every socket its own channel and group memberships: an event
for a room of N people is N channel-layer messages, N dispatches (each with a thread hop since
Channels 4.2) and N JSON encodes. Here a process owns ONE channel and one receive loop; a group
is joined in Redis once, when the first local socket wants it, and left when the last one goes.
An event arrives once per process, already encoded (chat.events), and its text is written to
each local socket's ASGI `send` directly. Group operations are then one per group per process,
which is what keeps a mass disconnect from exhausting the Redis pool.

Membership must survive what Redis and the layer do to it: channels-redis' core layer expires a
group after `group_expiry`, and a restarted Redis forgets everything, so the hub re-adds its
groups periodically and after any receive error; a failed discard is retried later. A layer error
never ends the receive loop: it is logged and retried with backoff.

There is one hub per event loop (daphne runs one loop per process; tests run one per test),
since channels-redis connections belong to a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from chat import events
from chat.realtime import wsdirect
from chat.realtime.ordering import RoomFeed, RoomOrder
from config.loops import forget_on_running_loop, of_running_loop

logger = logging.getLogger(__name__)

AUTH_REVOKED = "auth.revoked"
MAX_BACKOFF_SECONDS = 30.0


class HubSocket(Protocol):
    """What the hub needs of a socket (chat.realtime.client.ClientSocket)."""

    async def hub_fanout(self, group: str, message: dict[str, Any], frame: dict[str, Any]) -> None:
        """An encoded event for `group`; `frame` is the ready ASGI `websocket.send` message,
        shared by every recipient (it must not be changed)."""

    async def hub_control(self, group: str, message: dict[str, Any]) -> None:
        """A notice that changes the socket itself: room access granted or lost, auth revoked."""


class Hub:
    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.channel: str | None = None
        # Local sockets per group. A group is in Redis (`_joined`) from the first join to the
        # discard after the last leave; `_locks` orders the Redis operations of one group so a
        # late discard can never undo a newer add.
        self._groups: dict[str, set[HubSocket]] = {}
        self._joined: set[str] = set()
        # Groups whose discard failed: still in Redis, wanted by nobody here.
        self._stale: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._orders: dict[str, RoomOrder] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._start_lock = asyncio.Lock()
        self._receiver: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None

    # -- membership -----------------------------------------------------------------------

    async def join(self, group: str, socket: HubSocket, feed: RoomFeed | None = None) -> None:
        """Deliver `group`'s events to `socket`. When this returns, the process is a member of
        the group in the channel layer, so every event sent from now on reaches the socket
        (the replay seam of `subscribe` relies on it). Raises if the layer refused.

        A room's group comes with its `feed`: the first local socket sets up the room's order
        (chat.realtime.ordering), so its new messages reach sockets in commit order."""
        await self._start()
        self._groups.setdefault(group, set()).add(socket)
        order = None
        if feed is not None and group not in self._orders:
            order = self._orders[group] = RoomOrder(feed, functools.partial(self._deliver, group))
        try:
            await self._ensure_joined(group)
            if order is not None:
                await order.start()
        except BaseException:
            if order is not None and self._orders.get(group) is order:
                # Unordered rather than stuck: whatever it holds goes out as it is.
                del self._orders[group]
                self._spawn(order.abandon())
            self._remove(group, socket)
            raise

    def leave(self, group: str, socket: HubSocket) -> None:
        """Stop delivering at once; the layer is told in the background when nobody is left."""
        self._remove(group, socket)

    def _remove(self, group: str, socket: HubSocket) -> None:
        sockets = self._groups.get(group)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self._groups[group]
            order = self._orders.pop(group, None)
            if order is not None:
                order.stop()
            self._spawn(self._discard_if_unused(group))

    def local_sockets(self, group: str) -> int:
        return len(self._groups.get(group, ()))

    def _lock(self, group: str) -> asyncio.Lock:
        lock = self._locks.get(group)
        if lock is None:
            lock = self._locks[group] = asyncio.Lock()
        return lock

    async def _ensure_joined(self, group: str) -> None:
        if group in self._joined:
            return
        async with self._lock(group):
            if group not in self._joined and group in self._groups:
                assert self.channel is not None
                await self.layer.group_add(group, self.channel)
                self._joined.add(group)
                self._stale.discard(group)

    async def _discard_if_unused(self, group: str) -> None:
        lock = self._lock(group)
        async with lock:
            if group in self._groups or (group not in self._joined and group not in self._stale):
                return
            # Out of `_joined` before the await: a join meanwhile must add again, not trust it.
            self._joined.discard(group)
            try:
                assert self.channel is not None
                await self.layer.group_discard(group, self.channel)
            except Exception:
                # Still a member in Redis: its events are ignored here, and the keeper retries.
                logger.warning("chat hub: could not leave %s; will retry", group, exc_info=True)
                self._stale.add(group)
                return
            self._stale.discard(group)
        if not lock.locked() and group not in self._groups:
            self._locks.pop(group, None)

    async def refresh(self) -> None:
        """Re-add every group with local sockets (group expiry, a Redis that lost its data) and
        retry discards that failed."""
        assert self.channel is not None
        for group in list(self._groups):
            async with self._lock(group):
                if group in self._groups:
                    await self.layer.group_add(group, self.channel)
                    self._joined.add(group)
        for group in list(self._stale):
            await self._discard_if_unused(group)

    # -- the loops ------------------------------------------------------------------------

    async def _start(self) -> None:
        if self._receiver is not None:
            return
        async with self._start_lock:
            if self._receiver is not None:
                return
            self.channel = await self.layer.new_channel()
            self._receiver = asyncio.create_task(self._receive_loop(), name="chat-hub-receive")
            self._keeper = asyncio.create_task(self._keep_loop(), name="chat-hub-keeper")

    async def _receive_loop(self) -> None:
        assert self.channel is not None
        backoff = 0.5
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("chat hub: receive failed; retrying in %.1f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                # Whatever made Redis fail may have cost us the groups.
                self._spawn(self._refresh_quietly())
                continue
            backoff = 0.5
            try:
                await self._route(message)
            except Exception:
                logger.exception("chat hub: could not route %s", message.get("type"))

    async def _route(self, message: dict[str, Any]) -> None:
        group = message.get("group")
        if not isinstance(group, str):
            logger.warning("chat hub: %s without a group dropped", message.get("type"))
            return
        sockets = self._groups.get(group)
        if not sockets:
            return
        kind = message.get("type")
        if kind == events.FANOUT:
            frame = {"type": "websocket.send", "text": message["text"]}
            order = self._orders.get(group)
            if order is not None:
                await order.receive(message, frame)
            else:
                await self._deliver(group, message, frame)
        elif kind in (events.ROOM_ACCESS, AUTH_REVOKED):
            for socket in list(sockets):
                try:
                    await socket.hub_control(group, message)
                except Exception:
                    logger.exception("chat hub: %s to a socket failed", kind)
        else:
            logger.warning("chat hub: unknown message type %s", kind)

    async def _deliver(self, group: str, message: dict[str, Any], frame: dict[str, Any]) -> None:
        # Framed once for every socket that writes it directly (chat.realtime.wsdirect).
        frame = wsdirect.shared_frame(frame)
        for socket in list(self._groups.get(group, ())):
            try:
                await socket.hub_fanout(group, message, frame)
            except Exception:
                logger.exception("chat hub: delivery to a socket failed")

    async def _keep_loop(self) -> None:
        interval = float(getattr(settings, "CHAT_GROUP_REFRESH_SECONDS", 60.0))
        while True:
            await asyncio.sleep(interval)
            await self._refresh_quietly()

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception:
            logger.warning("chat hub: refreshing groups failed; next round retries", exc_info=True)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Leave every group and end the loops (tests; a process that ends needs nothing).
        Pending discards finish first: a Redis command cancelled halfway leaves its connection
        busy, and closing the pool then waits for it forever."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        for task in (self._receiver, self._keeper):
            if task is not None:
                task.cancel()
        for task in (self._receiver, self._keeper):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.channel is not None:
            for group in list(self._joined | self._stale):
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.warning("could not leave %s", group, exc_info=True)
        self._groups.clear()
        for order in self._orders.values():
            order.stop()
        self._orders.clear()
        self._joined.clear()
        self._stale.clear()
        self._receiver = self._keeper = None


def get_hub() -> Hub:
    """The hub of the running event loop, created on first use."""
    return of_running_loop(Hub, _new_hub)


def _new_hub() -> Hub:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("CHANNEL_LAYERS is not configured")
    return Hub(layer)


async def stop_hub() -> None:
    hub = forget_on_running_loop(Hub)
    if isinstance(hub, Hub):
        await hub.stop()
