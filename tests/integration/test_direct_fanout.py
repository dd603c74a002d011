"""Fan-out written straight to the sockets (chat.realtime.wsdirect) through a real daphne process: many
clients receive every message intact and in order, large non-ASCII ones included, and a client
that stops reading while messages flow gets all of them, in order, once it reads again, without
disturbing anyone else.

Real daphne process on the test database, real WebSocket clients over loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from chat.markdown import MAX_BODY_LENGTH
from tests.support.chat_clients import ChatClient, close_all, duplicates, out_of_order, wait_all
from tests.support.live_chat import FAST_SENDS, ChatRoom, StartServer, stored_messages
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

PEOPLE = 10
CLIENTS = 50  # the sender's socket included
MESSAGES = 80
# More than Linux lets a socket's send buffer grow to (net.ipv4.tcp_wmem, 4 MiB at most by
# default): what the slow reader leaves unread cannot all wait in the kernel, so the server must
# hold the rest in its own buffer and send it, in order, once the reader reads again.
SLOW_READER_BACKLOG = 4 * 1024 * 1024
PACE = 0.01


def body(n: int) -> str:
    """Three messages in four near the size limit in 4-byte UTF-8 characters (40 KB of text, and
    its HTML again: frames with a 64-bit length); the others short, some not ASCII either."""
    if n % 8 == 0:
        return f"message {n}"
    if n % 8 == 4:
        return f"日本語 {n} — ß ✓"
    tail = f" {n}"
    return "🙂" * (MAX_BODY_LENGTH - len(tail) - 1) + "é" + tail


@dataclass
class Slow:
    ws: ClientConnection
    frames: list[dict[str, Any]]


async def connect_slow_reader(chat_room: ChatRoom, port: int) -> Slow:
    """A client with a tiny receive buffer that reads nothing after it has subscribed until told:
    the server's socket to it fills at once and the rest waits in the server's buffer."""
    person = chat_room.people[PEOPLE - 1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    ws = await connect(
        f"ws://{chat_room.tenant.host}:{port}/ws/chat/",
        sock=sock,
        origin=Origin(f"http://{chat_room.tenant.host}"),
        additional_headers={"Authorization": f"Bearer {person.token}"},
        proxy=None,
        open_timeout=5,
        close_timeout=1,
        ping_interval=None,
        max_size=None,
        max_queue=1,  # once one message waits unread, stop reading the socket
    )
    await ws.send(json.dumps({"type": "subscribe", "room": chat_room.room_id, "after": 0}))
    frames: list[dict[str, Any]] = []
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        frames.append(frame)
        if frame.get("type") == "subscribed":
            return Slow(ws, frames)


async def read_until(slow: Slow, room: int, last_id: int) -> None:
    def newest() -> int:
        ids = [int(f["message"]["id"]) for f in slow.frames if f.get("type") == "message.new"]
        return max(ids, default=0)

    while newest() < last_id:
        slow.frames.append(json.loads(await asyncio.wait_for(slow.ws.recv(), 10)))


@dataclass
class Outcome:
    clients: list[ChatClient]
    slow: list[dict[str, Any]]
    bodies: dict[str, str]


async def fan_out(chat_room: ChatRoom, port: int) -> Outcome:
    room = chat_room.room_id
    clients = [
        ChatClient(
            f"client-{n}",
            chat_room.tenant.host,
            chat_room.people[n % (PEOPLE - 1)].token,
            chat_room.people[n % (PEOPLE - 1)].user_id,
            port,
        )
        for n in range(CLIENTS)
    ]
    slow: Slow | None = None
    try:
        for client in clients:
            client.start({room: 0})
        await wait_all((client.wait_subscribed(room) for client in clients), 30)
        slow = await connect_slow_reader(chat_room, port)

        sender = clients[0]
        bodies = {f"direct-{n}": body(n) for n in range(MESSAGES)}
        for client_id, text in bodies.items():
            await sender.post(room, text, client_id)
            await asyncio.sleep(PACE)
        await sender.wait_acked(30)
        last = (await asyncio.to_thread(stored_messages, chat_room))[-1][0]
        await wait_all((client.wait_for_id(room, last, 30) for client in clients), 35)
        # Only now does the slow reader read again.
        await read_until(slow, room, last)
        await asyncio.sleep(0.3)  # room for a late duplicate to show up
        return Outcome(clients=clients, slow=slow.frames, bodies=bodies)
    finally:
        await close_all(clients)
        if slow is not None:
            with contextlib.suppress(Exception):
                await slow.ws.close()


def test_every_client_receives_every_message_intact_and_in_order_with_a_slow_reader_among_them(
    start_server: StartServer,
    make_chat_room: Callable[..., ChatRoom],
    tenant_a: TenantInfo,
) -> None:
    # Given a daphne process writing fan-out straight to the sockets, and 50 clients in a room
    chat_room = make_chat_room(tenant_a, PEOPLE)
    server = start_server("web", CHAT_DIRECT_WRITES="1", **FAST_SENDS)

    # When messages flow, a third of them near the size limit in non-ASCII text, while one more
    # client has stopped reading
    outcome = asyncio.run(asyncio.wait_for(fan_out(chat_room, server.port), 110))

    # Then every client received every stored message once, in order, each body as it was sent
    stored = [message_id for message_id, _, _ in stored_messages(chat_room)]
    assert len(stored) == MESSAGES
    for client in outcome.clients:
        received = client.received[chat_room.room_id]
        ids = [int(message["id"]) for message in received]
        assert duplicates(ids) == [], f"{client.name} received these more than once"
        assert out_of_order(ids) == [], f"{client.name} received these out of order"
        assert ids == stored, f"{client.name} did not receive exactly the room's messages"
        assert [message["body"] for message in received] == list(outcome.bodies.values())
        assert client.errors == []
    # and the slow reader, once it read again, got all of them in order, intact
    slow_messages = [frame["message"] for frame in outcome.slow if frame.get("type") == "message.new"]
    backlog = sum(len(json.dumps(frame, ensure_ascii=False).encode()) for frame in outcome.slow)
    assert backlog > SLOW_READER_BACKLOG
    assert [int(message["id"]) for message in slow_messages] == stored
    assert [message["body"] for message in slow_messages] == list(outcome.bodies.values())
    assert not [frame for frame in outcome.slow if frame.get("type") == "error"]
