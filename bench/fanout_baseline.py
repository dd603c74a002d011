"""The ceiling for `bench/ws_fanout.py`: a bare asyncio `websockets` broadcast server.

It speaks the subset of the chat WebSocket protocol (CONTRACT.md) that the fan-out benchmark
uses, with nothing behind it: no tenant, no authentication, no database, no channel layer.

    {"type": "subscribe", "room": R}                         -> {"type": "subscribed", "room": R}
    {"type": "message.send", "room": R, "body", "client_id"} -> {"type": "message.new", "message": {...}}
                                                                to every socket subscribed to R

A message is encoded to JSON once and handed to every subscribed socket with
`websockets.asyncio.server.broadcast` (no per-recipient task, no per-recipient encode). The
`message` object has the fields of the real one, so frames are the same size. Without
compression, like the product's server.

    .venv/bin/python bench/fanout_baseline.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

AUTHOR = {"id": 1, "name": "bench"}


class Hub:
    def __init__(self) -> None:
        self.rooms: dict[int, set[ServerConnection]] = {}
        self.next_id = 1

    def subscribe(self, room: int, socket: ServerConnection) -> None:
        self.rooms.setdefault(room, set()).add(socket)

    def forget(self, socket: ServerConnection) -> None:
        for members in self.rooms.values():
            members.discard(socket)

    def message(self, room: int, body: str, client_id: str | None) -> str:
        message_id, self.next_id = self.next_id, self.next_id + 1
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        payload: dict[str, Any] = {
            "id": message_id,
            "room": room,
            "author": AUTHOR,
            "body": body,
            "html": f"<p>{body}</p>",
            "created_at": now,
            "edited_at": None,
            "deleted": False,
            "client_id": client_id,
            "thread": None,
            "reply_count": 0,
            "last_reply_at": None,
            "mentions": [],
            "attachments": [],
            "reactions": [],
        }
        return json.dumps({"type": "message.new", "message": payload}, separators=(",", ":"), ensure_ascii=False)

    async def handle(self, socket: ServerConnection) -> None:
        try:
            async for raw in socket:
                try:
                    frame = json.loads(raw)
                    kind = frame.get("type")
                    room = int(frame.get("room", 0))
                except (ValueError, TypeError, AttributeError):
                    await socket.send('{"type":"error","code":"invalid","detail":"Bad frame."}')
                    continue
                if kind == "subscribe":
                    self.subscribe(room, socket)
                    await socket.send(json.dumps({"type": "subscribed", "room": room}))
                elif kind == "message.send":
                    text = self.message(room, str(frame.get("body", "")), frame.get("client_id"))
                    broadcast(self.rooms.get(room, ()), text)
                elif kind == "ping":
                    await socket.send('{"type":"pong"}')
        except ConnectionClosed:
            pass
        finally:
            self.forget(socket)


async def main_async(host: str, port: int) -> None:
    hub = Hub()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(hub.handle, host, port, compression=None, backlog=1024, max_size=2**16):
        print(f"fan-out baseline listening on {host}:{port}", flush=True)
        await stop


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
