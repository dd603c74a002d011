"""One handler per frame type the client may send (CONTRACT.md, WebSocket).

A handler reads its frame (chat.realtime.frames), then checks access through chat.access and
calls an action, both in one tenant-scoped database call (`ClientSocket.db`), then answers. Errors
are raised, never answered here: the consumer turns them into `error` frames carrying the
request's `ref`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from accounts.models import User
from chat import events, presence
from chat.access import access_message_to_change, access_message_to_react, access_room_to_post
from chat.actions import (
    do_add_reaction,
    do_delete_message,
    do_edit_message,
    do_mark_read,
    do_remove_reaction,
)
from chat.realtime import frames
from chat.realtime.client import ClientSocket
from chat.realtime.frames import Frame, FrameError, MessageRequest, React, Read, RoomRequest, SendMessage, Subscribe
from chat.realtime.sending import batches

Handler = Callable[[ClientSocket, Frame], Awaitable[None]]


async def subscribe(socket: ClientSocket, frame: Frame) -> None:
    request = Subscribe.read(frame.fields)
    last_id = await socket.session.subscribe(request.room, after=request.after, since=request.changes_since)
    if last_id is not None:
        await socket.send_frame(frames.reply(frame, {"type": "subscribed", "room": request.room, "last_id": last_id}))


async def unsubscribe(socket: ClientSocket, frame: Frame) -> None:
    room = RoomRequest.read(frame.fields).room
    socket.session.drop(room)
    await socket.send_frame(frames.reply(frame, {"type": "unsubscribed", "room": room}))


async def send_message(socket: ClientSocket, frame: Frame) -> None:
    request = SendMessage.read(frame.fields)
    if not socket.send_bucket.take():
        raise FrameError("rate_limited", "You are sending too fast; wait a moment.")
    # Written with the other sends that arrive meanwhile (chat.realtime.sending).
    sent = await batches().send(socket.person, request)
    # A retried send is answered to the sender only; a new one reaches the sender through the
    # room's group when subscribed.
    if not sent.created or request.room not in socket.session.subscriptions:
        await socket.send_text(sent.text)
    # People named who are not in the room: the sender is offered to add them (docs/architecture.md).
    outside: dict[str, object] = {}
    if sent.not_in_room:
        outside = {"room": request.room, "not_in_room": sent.not_in_room, "can_add_members": sent.can_add_members}
    await socket.send_frame(
        frames.ack(frame, message=sent.message_id, client_id=request.client_id, created=sent.created, **outside)
    )


async def edit_message(socket: ClientSocket, frame: Frame) -> None:
    request = MessageRequest.read(frame.fields)

    def edit(user: User) -> None:
        message, _ = access_message_to_change(user, request.id)
        do_edit_message(tenant=socket.tenant, editor=user, message=message, body=cast(str, request.body))

    await socket.db(edit)
    await socket.send_frame(frames.ack(frame, message=request.id))


async def delete_message(socket: ClientSocket, frame: Frame) -> None:
    request = MessageRequest.read(frame.fields)

    def delete(user: User) -> None:
        message, _ = access_message_to_change(user, request.id, delete=True)
        do_delete_message(tenant=socket.tenant, message=message)

    await socket.db(delete)
    await socket.send_frame(frames.ack(frame, message=request.id))


async def add_reaction(socket: ClientSocket, frame: Frame) -> None:
    await _react(socket, frame, add=True)


async def remove_reaction(socket: ClientSocket, frame: Frame) -> None:
    await _react(socket, frame, add=False)


async def _react(socket: ClientSocket, frame: Frame, *, add: bool) -> None:
    request = React.read(frame.fields)

    def react(user: User) -> bool:
        message, _ = access_message_to_react(user, request.message)
        action = do_add_reaction if add else do_remove_reaction
        return action(tenant=socket.tenant, user=user, message=message, emoji=cast(str, request.emoji))

    changed = await socket.db(react)
    await socket.send_frame(frames.ack(frame, message=request.message, changed=changed))


async def mark_read(socket: ClientSocket, frame: Frame) -> None:
    request = Read.read(frame.fields)

    def mark(user: User) -> int:
        access = access_room_to_post(user, request.room)
        return do_mark_read(tenant=socket.tenant, user=user, room=access.room, message_id=request.message)

    position = await socket.db(mark)
    await socket.send_frame(frames.ack(frame, room=request.room, message=position))


async def typing(socket: ClientSocket, frame: Frame) -> None:
    """`typing {room, user, name}` to the room's subscribers; paced (chat.realtime.ratelimit)."""
    room = RoomRequest.read(frame.fields).room
    subscription = socket.session.subscriptions.get(room)
    if subscription is None:
        raise FrameError("not_subscribed", "Subscribe to the room first.")
    if not subscription.typing.take():
        return

    def check(user: User) -> str:
        access_room_to_post(user, room)
        return user.get_full_name()

    name = await socket.db(check)
    message = events.fanout_message({"type": "typing", "room": room, "user": socket.user_id, "name": name}, room=room)
    await socket.publish([(subscription.group, {**message, "group": subscription.group})])


async def set_presence(socket: ClientSocket, frame: Frame) -> None:
    status = frames.Presence.read(frame.fields).status
    await presence.get_presence().set(socket.tenant.pk, socket.user_id, socket.socket_id, status)
    await socket.send_frame(frames.ack(frame, status=status))


async def ping(socket: ClientSocket, frame: Frame) -> None:
    await socket.send_frame(frames.reply(frame, {"type": "pong"}))


HANDLERS: dict[str, Handler] = {
    "subscribe": subscribe,
    "unsubscribe": unsubscribe,
    "message.send": send_message,
    "message.edit": edit_message,
    "message.delete": delete_message,
    "reaction.add": add_reaction,
    "reaction.remove": remove_reaction,
    "typing": typing,
    "read": mark_read,
    "ping": ping,
    "presence": set_presence,
}
