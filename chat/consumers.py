"""The chat socket at /ws/chat/: one per client, multiplexing rooms (CONTRACT.md, WebSocket).

Every frame that touches the database does so in ONE `database_sync_to_async` call that enters
the socket's tenant, reloads the person (a revoked or deactivated person is closed with 4401),
checks access through chat.access, calls the action inside `chat.events.capture()`, and returns
to the public schema in `finally` (ARCHITECTURE rule 2: all consumers of a process share one
database thread). The events the action announced are sent from the event loop afterwards; the
action has committed by then, so nobody hears of a message that is not stored.

Live events do not come through this consumer's dispatch: chat.hub receives them once per
process and writes their text to each subscribed socket (`hub_fanout`).

Subscribing with `after` is the seam where messages could be lost or doubled. The socket joins
the room's group first and buffers its live events, replays from the database in batches until
it has caught up, then flushes the buffer without the messages the replay already sent, and only
then goes live. Catch-up reads the database, so it works after days offline. The hub hands a
room's new messages over in commit order (chat.ordering), which within a room is id order, so
from then on a `message.new` at or below the newest id the socket was sent is a repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.access import AccessDenied
from accounts.models import User
from chat import events, presence, wsdirect
from chat.access import (
    access_message_to_change,
    access_message_to_react,
    access_room,
    access_room_to_post,
)
from chat.actions import (
    do_add_reaction,
    do_delete_message,
    do_edit_message,
    do_mark_read,
    do_remove_reaction,
    do_send_message,
)
from chat.hub import AUTH_REVOKED, get_hub
from chat.models import Message
from chat.ordering import RoomFeed
from chat.payloads import message_payload, with_related
from chat.selectors import history
from config import limits
from config.api.errors import Refused
from documents.access import access_documents_to_share
from tenants.db import use_public_schema
from tenants.models import Client

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_INTERNAL = 1011
# Larger frames are refused (a message body is at most a few thousand characters).
MAX_FRAME_BYTES = 64 * 1024
# Messages read per database call while catching up.
REPLAY_BATCH = 200
# Live events kept while a subscription catches up; beyond this, buffered `message.new` are
# dropped, which is safe: the replay keeps reading until it finds nothing newer.
MAX_BUFFERED = 5_000
MAX_SUBSCRIPTIONS = 500
# One `typing` broadcast per room and socket per interval; more are dropped silently (clients
# send one per keystroke).
TYPING_INTERVAL_SECONDS = 2.0


class FrameError(Exception):
    """A frame that cannot be served; answered with `error {code, detail, ref}`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class Revoked(Exception):
    """The person's credentials were revoked, or they were deactivated, since the handshake."""


@dataclass
class TokenBucket:
    """`burst` frames at once, refilled at `rate` per second."""

    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class Subscription:
    room: int
    group: str
    joined_at: datetime
    live: bool = False
    # (channel-layer message, ready ASGI frame) received while catching up.
    buffer: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    # The newest message id this socket has been sent for the room. The hub passes a room's new
    # messages on in commit order, which is id order within a room (chat.ordering), and the
    # catch-up reads them in id order, so a `message.new` at or below it is one already sent.
    last_id: int = 0
    typing_at: float = 0.0


@dataclass(frozen=True)
class Replayed:
    id: int
    text: str


def _int(frame: dict[str, Any], key: str) -> int:
    value = frame.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FrameError("invalid", f"`{key}` must be an id.")
    try:
        number = int(value)
    except ValueError:
        raise FrameError("invalid", f"`{key}` must be an id.") from None
    if number < 0 or number > 2**63 - 1:
        raise FrameError("invalid", f"`{key}` must be an id.")
    return number


def _text(frame: dict[str, Any], key: str) -> str:
    value = frame.get(key)
    if not isinstance(value, str):
        raise FrameError("invalid", f"`{key}` must be text.")
    return value


def _readable(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(message for messages in exc.message_dict.values() for message in messages)
    return " ".join(exc.messages)


class ChatConsumer(AsyncConsumer):
    """One client's socket. Frames are handled one at a time, in order."""

    def __init__(self) -> None:
        self.tenant: Client
        self.user_id = 0
        self.auth_epoch = 0
        self.socket_id = uuid.uuid4().hex
        self.subscriptions: dict[int, Subscription] = {}
        self.by_group: dict[str, Subscription] = {}
        self.own_groups: list[str] = []
        self.closed = False
        self.accepted = False
        self.send_bucket = TokenBucket(
            rate=float(getattr(settings, "CHAT_SEND_RATE", 5.0)), burst=float(getattr(settings, "CHAT_SEND_BURST", 20))
        )
        self._task: asyncio.Task[Any] | None = None
        self._waiting = False
        # The connection written to directly for fan-out (chat.wsdirect), when daphne serves it.
        self.direct: wsdirect.DirectSocket | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "subscribe": self.on_subscribe,
            "unsubscribe": self.on_unsubscribe,
            "message.send": self.on_send,
            "message.edit": self.on_edit,
            "message.delete": self.on_delete,
            "reaction.add": self.on_reaction_add,
            "reaction.remove": self.on_reaction_remove,
            "typing": self.on_typing,
            "read": self.on_read,
            "ping": self.on_ping,
            "presence": self.on_presence,
        }

    # -- the ASGI loop --------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Replaces AsyncConsumer's loop: no channel of its own (the hub receives for every
        socket), and no `aclose_old_connections` thread hop per message. Skipping that hop is
        safe because this consumer touches the database only through database_sync_to_async,
        which closes stale connections itself before and after each call."""
        self.scope = scope
        self.base_send = send
        self.direct = wsdirect.for_send(send)
        self._task = asyncio.current_task()
        try:
            while not self.closed:
                self._waiting = True
                try:
                    message = await receive()
                finally:
                    self._waiting = False
                kind = message["type"]
                if kind == "websocket.connect":
                    await self.connect()
                elif kind == "websocket.receive":
                    await self.receive_frame(message.get("text"), message.get("bytes"))
                elif kind == "websocket.disconnect":
                    break
        except StopConsumer:
            pass
        except asyncio.CancelledError:
            # Cancelled by `close()` while waiting for the client: the socket is done.
            if not self.closed:
                raise
        finally:
            await self.cleanup()

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.tenant = self.scope["tenant"]
        await self.base_send({"type": "websocket.accept"})
        self.accepted = True
        if user is None or not user.is_authenticated:
            await self.close(CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.auth_epoch = user.auth_epoch
        hub = get_hub()
        try:
            for group in (events.user_group_by_id(self.tenant.pk, self.user_id), events.presence_group(self.tenant.pk)):
                await hub.join(group, self)
                self.own_groups.append(group)
            tracker = presence.get_presence()
            await tracker.set(self.tenant.pk, self.user_id, self.socket_id, presence.ACTIVE)
            users = await tracker.snapshot(self.tenant.pk)
        except Exception:
            logger.exception("chat socket: could not join its groups")
            await self.close(CLOSE_INTERNAL)
            return
        await self.send_frame({"type": "presence.snapshot", "users": users})

    async def cleanup(self) -> None:
        """Leave every group and withdraw this socket's presence; runs however the socket ends."""
        if not self.user_id:
            return
        hub = get_hub()
        for group in [*self.by_group, *self.own_groups]:
            hub.leave(group, self)
        self.by_group.clear()
        self.subscriptions.clear()
        self.own_groups.clear()
        try:
            await presence.get_presence().remove(self.tenant.pk, self.user_id, self.socket_id)
        except Exception:
            # The entry expires on its own within the TTL.
            logger.warning("chat socket: could not withdraw presence", exc_info=True)
        self.user_id = 0

    async def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            await self.base_send({"type": "websocket.close", "code": code})
        if self._waiting and self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    # -- output ---------------------------------------------------------------------------

    async def send_text(self, text: str) -> None:
        if not self.closed:
            await self.base_send({"type": "websocket.send", "text": text})

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send_text(events.encode(frame))

    async def send_error(self, code: str, detail: str, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
        if ref is not None:
            frame["ref"] = ref
        await self.send_frame(frame)

    async def reply(self, frame: dict[str, Any], answer: dict[str, Any]) -> None:
        """An answer that always goes out, carrying the request's `ref` when it had one."""
        if frame.get("ref") is not None:
            answer["ref"] = frame["ref"]
        await self.send_frame(answer)

    async def ack(self, frame: dict[str, Any], **extra: Any) -> None:
        """Acknowledge a request that asked for it with a `ref`."""
        if frame.get("ref") is not None:
            await self.send_frame({"type": "ack", "ref": frame["ref"], "for": frame["type"], **extra})

    # -- from the hub ---------------------------------------------------------------------

    async def hub_fanout(self, group: str, message: dict[str, Any], frame: dict[str, Any]) -> None:
        if self.closed:
            return
        subscription = self.by_group.get(group)
        if subscription is None:
            await self.send_shared(frame)
            return
        if subscription.live:
            if message.get("event") == "message.new":
                if message["message"] <= subscription.last_id:
                    return  # sent by the catch-up already
                subscription.last_id = message["message"]
            await self.send_shared(frame)
            return
        if len(subscription.buffer) >= MAX_BUFFERED:
            subscription.buffer = [item for item in subscription.buffer if item[0].get("event") != "message.new"]
            del subscription.buffer[: max(0, len(subscription.buffer) - MAX_BUFFERED // 2)]
        subscription.buffer.append((message, frame))

    async def send_shared(self, frame: dict[str, Any]) -> None:
        """An event's frame, shared by all its recipients: straight to the connection when it
        can be (chat.wsdirect), else the ordinary ASGI send. Both write at once, in call order."""
        direct = self.direct
        if direct is not None and type(frame) is wsdirect.FanoutFrame and direct.write(frame):
            return
        await self.base_send(frame)

    async def hub_control(self, group: str, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if message.get("type") == AUTH_REVOKED:
            await self.close(CLOSE_UNAUTHENTICATED)
            return
        room = message.get("room")
        if not isinstance(room, int):
            return
        if message.get("granted"):
            await self.send_frame({"type": "room.added", "room": room})
        else:
            # Nothing more of this room reaches the socket from this instant on.
            self._drop(room)
            await self.send_frame({"type": "room.removed", "room": room})

    def _drop(self, room: int) -> None:
        subscription = self.subscriptions.pop(room, None)
        if subscription is not None:
            self.by_group.pop(subscription.group, None)
            get_hub().leave(subscription.group, self)

    # -- frames ---------------------------------------------------------------------------

    async def receive_frame(self, text: str | None, data: bytes | None) -> None:
        if self.closed or not self.user_id:
            return
        if text is None:
            await self.send_error("bad_request", "Frames are JSON text.")
            return
        if len(text) > MAX_FRAME_BYTES // 4 and len(text.encode()) > MAX_FRAME_BYTES:
            await self.send_error("bad_request", f"A frame has at most {MAX_FRAME_BYTES // 1024} KiB.")
            return
        try:
            frame = json.loads(text)
        except ValueError:
            await self.send_error("bad_request", "A frame is a JSON object.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("bad_request", "A frame is a JSON object with a `type`.")
            return
        ref = frame.get("ref")
        if ref is not None and not isinstance(ref, (str, int)):
            ref = None
            frame["ref"] = None
        handler = self._handlers.get(frame["type"])
        if handler is None:
            await self.send_error("bad_request", f"Unknown frame type `{frame['type'][:40]}`.", ref)
            return
        try:
            await handler(frame)
        except Revoked:
            await self.close(CLOSE_UNAUTHENTICATED)
        except FrameError as exc:
            await self.send_error(exc.code, exc.detail, ref)
        except AccessDenied as exc:
            await self.send_error(exc.code, exc.message, ref)
        except Http404:
            await self.send_error("not_found", "No such room or message.", ref)
        except ValidationError as exc:
            await self.send_error("invalid", _readable(exc), ref)
        except Refused as exc:  # the plan's limits, a read-only workspace: what the API answers
            await self.send_frame({"type": "error", **limits.payload(exc), **({"ref": ref} if ref is not None else {})})
        except Exception:
            logger.exception("chat socket: %s failed", frame["type"])
            await self.send_error("server_error", "Something went wrong; try again.", ref)

    # -- database access (rule 2) ---------------------------------------------------------

    def _in_tenant(self, work: Callable[[User], T]) -> tuple[T, list[events.Outgoing]]:
        """Runs on the shared database thread: the tenant's schema for exactly this call."""
        cast(Any, connection).set_tenant(self.tenant)
        try:
            user = User.objects.filter(pk=self.user_id, is_active=True, auth_epoch=self.auth_epoch).first()
            if user is None:
                raise Revoked
            with events.capture() as captured:
                result = work(user)
            return result, list(captured)
        finally:
            use_public_schema()

    async def db(self, work: Callable[[User], T]) -> T:
        """Run `work(user)` in the tenant, then send the events it announced."""
        result, captured = await database_sync_to_async(self._in_tenant)(work)
        await self.publish(captured)
        return result

    async def publish(self, captured: list[events.Outgoing]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for group, message in captured:
            try:
                await layer.group_send(group, message)
            except Exception:
                # Committed: clients catch up from the database when they resubscribe.
                logger.exception("chat socket: could not send %s to %s", message.get("event"), group)

    # -- subscriptions --------------------------------------------------------------------

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        room = _int(frame, "room")
        after = _int(frame, "after") if frame.get("after") is not None else None
        since: datetime | None = None
        if frame.get("changes_since") is not None:
            since = parse_datetime(_text(frame, "changes_since"))
            if since is None:
                raise FrameError("invalid", "`changes_since` must be an ISO 8601 time.")
            if after is None:
                raise FrameError("invalid", "`changes_since` goes with `after`.")
        if room not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise FrameError("invalid", f"A socket follows at most {MAX_SUBSCRIPTIONS} rooms.")
        # Buffer first: whatever the room's group delivers from the join on is kept.
        self._drop(room)
        group = events.room_group(self.tenant.pk, room)
        subscription = Subscription(room=room, group=group, joined_at=timezone.now())
        self.subscriptions[room] = subscription
        self.by_group[group] = subscription
        try:
            await get_hub().join(group, self, RoomFeed(self.tenant, room))
            last_id = await self._catch_up(subscription, after, since)
            subscription.last_id = max(subscription.last_id, last_id)
        except BaseException:
            if self.subscriptions.get(room) is subscription:
                self._drop(room)
            raise
        if self.subscriptions.get(room) is not subscription:
            return  # lost access meanwhile; `room.removed` was sent
        await self._go_live(subscription)
        await self.reply(frame, {"type": "subscribed", "room": room, "last_id": last_id})

    async def _catch_up(self, subscription: Subscription, after: int | None, since: datetime | None) -> int:
        """Replay what the client lacks; returns the newest id it has now."""
        room = subscription.room

        if after is None:

            def newest(user: User) -> int:
                access = access_room(user, room)
                return int(
                    Message.objects.filter(room=access.room).order_by("-id").values_list("id", flat=True).first() or 0
                )

            return await self.db(newest)

        if since is not None:
            cursor = 0
            while True:
                work = functools.partial(self._changed_batch, room=room, cursor=cursor, upto=after, since=since)
                changed = await self.db(work)
                if self.subscriptions.get(room) is not subscription:
                    return after
                for item in changed:
                    await self.send_text(item.text)
                if len(changed) < REPLAY_BATCH:
                    break
                cursor = changed[-1].id

        cursor = after
        while True:
            batch = await self.db(functools.partial(self._new_batch, room=room, after=cursor))
            if self.subscriptions.get(room) is not subscription:
                return cursor
            for item in batch:
                await self.send_text(item.text)
                subscription.last_id = max(subscription.last_id, item.id)
            if batch:
                cursor = batch[-1].id
            if len(batch) < REPLAY_BATCH:
                return cursor

    @staticmethod
    def _new_batch(user: User, room: int, after: int) -> list[Replayed]:
        access = access_room(user, room)
        return [
            Replayed(m.pk, events.encode({"type": "message.new", "message": message_payload(m)}))
            for m in history(access.room, after=after, limit=REPLAY_BATCH)
        ]

    @staticmethod
    def _changed_batch(user: User, room: int, cursor: int, upto: int, since: datetime) -> list[Replayed]:
        access = access_room(user, room)
        changed = Message.objects.filter(room=access.room, pk__gt=cursor, pk__lte=upto, updated_at__gte=since)
        return [
            Replayed(m.pk, events.encode({"type": "message.updated", "message": message_payload(m)}))
            for m in with_related(changed.order_by("id"))[:REPLAY_BATCH]
        ]

    async def _go_live(self, subscription: Subscription) -> None:
        """Flush what arrived during the replay, minus messages the replay sent, then stream.
        Nothing awaits between finding the buffer empty and going live."""
        while subscription.buffer:
            message, frame = subscription.buffer.pop(0)
            if message.get("event") == "message.new":
                if message["message"] <= subscription.last_id:
                    continue
                subscription.last_id = message["message"]
            if not self.closed:
                await self.send_shared(frame)
        subscription.live = True

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        room = _int(frame, "room")
        self._drop(room)
        await self.reply(frame, {"type": "unsubscribed", "room": room})

    # -- messages -------------------------------------------------------------------------

    async def on_send(self, frame: dict[str, Any]) -> None:
        room = _int(frame, "room")
        body = frame.get("body")
        client_id = frame.get("client_id")
        thread = _int(frame, "thread") if frame.get("thread") is not None else None
        attachments = frame.get("attachments")
        if attachments is not None and not isinstance(attachments, list):
            raise FrameError("invalid", "`attachments` must be a list of document ids.")
        if not self.send_bucket.take():
            raise FrameError("rate_limited", "You are sending too fast; wait a moment.")

        def send(user: User) -> tuple[bool, int, str]:
            access = access_room_to_post(user, room)
            documents = access_documents_to_share(user, attachments or [])
            result = do_send_message(
                tenant=self.tenant, author=user, room=access.room, body=cast(str, body), client_id=cast(Any, client_id),
                thread_id=thread, attachments=documents,
            )  # fmt: skip
            text = events.encode({"type": "message.new", "message": message_payload(result.message)})
            return result.created, result.message.pk, text

        created, message_id, text = await self.db(send)
        # A retried send is answered to the sender only; a new one reaches the sender through
        # the room's group when subscribed.
        if not created or room not in self.subscriptions:
            await self.send_text(text)
        await self.ack(frame, message=message_id, client_id=client_id, created=created)

    async def on_edit(self, frame: dict[str, Any]) -> None:
        message_id = _int(frame, "id")
        body = frame.get("body")

        def edit(user: User) -> None:
            message, _ = access_message_to_change(user, message_id)
            do_edit_message(tenant=self.tenant, editor=user, message=message, body=cast(str, body))

        await self.db(edit)
        await self.ack(frame, message=message_id)

    async def on_delete(self, frame: dict[str, Any]) -> None:
        message_id = _int(frame, "id")

        def delete(user: User) -> None:
            message, _ = access_message_to_change(user, message_id, delete=True)
            do_delete_message(tenant=self.tenant, message=message)

        await self.db(delete)
        await self.ack(frame, message=message_id)

    async def on_reaction_add(self, frame: dict[str, Any]) -> None:
        await self._react(frame, add=True)

    async def on_reaction_remove(self, frame: dict[str, Any]) -> None:
        await self._react(frame, add=False)

    async def _react(self, frame: dict[str, Any], *, add: bool) -> None:
        message_id = _int(frame, "message")
        emoji = frame.get("emoji")

        def react(user: User) -> bool:
            message, _ = access_message_to_react(user, message_id)
            action = do_add_reaction if add else do_remove_reaction
            return action(tenant=self.tenant, user=user, message=message, emoji=cast(str, emoji))

        changed = await self.db(react)
        await self.ack(frame, message=message_id, changed=changed)

    async def on_read(self, frame: dict[str, Any]) -> None:
        room = _int(frame, "room")
        message_id = _int(frame, "message")

        def mark(user: User) -> int:
            access = access_room_to_post(user, room)
            return do_mark_read(tenant=self.tenant, user=user, room=access.room, message_id=message_id)

        position = await self.db(mark)
        await self.ack(frame, room=room, message=position)

    # -- typing, presence, ping -------------------------------------------------------------

    async def on_typing(self, frame: dict[str, Any]) -> None:
        room = _int(frame, "room")
        subscription = self.subscriptions.get(room)
        if subscription is None:
            raise FrameError("not_subscribed", "Subscribe to the room first.")
        now = time.monotonic()
        if now - subscription.typing_at < TYPING_INTERVAL_SECONDS:
            return
        subscription.typing_at = now

        def check(user: User) -> str:
            access_room_to_post(user, room)
            return user.get_full_name()

        name = await self.db(check)
        message = events.fanout_message({"type": "typing", "room": room, "user": self.user_id, "name": name}, room=room)
        await self.publish([(subscription.group, {**message, "group": subscription.group})])

    async def on_presence(self, frame: dict[str, Any]) -> None:
        status = frame.get("status")
        if status not in presence.SOCKET_STATUSES:
            raise FrameError("invalid", "`status` is `active` or `idle`.")
        await presence.get_presence().set(self.tenant.pk, self.user_id, self.socket_id, cast(str, status))
        await self.ack(frame, status=status)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.reply(frame, {"type": "pong"})
