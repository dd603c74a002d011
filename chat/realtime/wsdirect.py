"""Fan-out frames written straight to the socket under daphne, framed once per event.

Through ASGI, every delivery of a hub event to a socket goes daphne `handle_reply` -> autobahn
`sendMessage` -> `sendFrame` -> `sendData` -> Twisted `transport.write`: the frame is built again
for every recipient, autobahn formats a debug log line for it, and Twisted's asyncio reactor
registers a writer for the socket (`loop.add_writer`, an `epoll_ctl`) only to send the bytes on
the next loop turn and unregister it (another `epoll_ctl`). That is most of the cost of a
delivery (docs/benchmarks.md, "Fan-out").

Here the hub wraps each event's shared ASGI message in a `FanoutFrame`, whose WebSocket frame
bytes (one unmasked, unfragmented text frame: what autobahn sends for it) are built once, on
first use, and a socket whose connection allows it writes them with `socket.send` at once, as an
asyncio transport would. Whatever the socket does not take at once goes to `transport.write`,
which buffers it and sends it when the socket is writable, as for any autobahn write.

Why this is safe:

- Everything runs on the event-loop thread (daphne runs Twisted's asyncio reactor), and every
  write to a connection, ours or autobahn's, is synchronous up to the socket or Twisted's buffer:
  awaiting daphne's `send` reaches `transport.write` without suspending. So writes leave in the
  order they are made, as long as a direct `send` never overtakes bytes Twisted still holds:
  the socket is written only when Twisted's buffer is empty; otherwise the frame is appended to
  that buffer with `transport.write`. Back-pressure is Twisted's as before (its buffer, its
  producer pausing).
- Only data frames of fan-out go this way. The handshake, close handshake, pings and pongs, and
  every other message of the socket stay with daphne and autobahn.
- The frame is taken this way only when it is exactly what autobahn would send: the connection
  is OPEN, no per-message compression was negotiated, nothing is in autobahn's own send queue
  (chopped or synchronous writes) or halfway through a fragmented message, server frames are not
  masked, no automatic fragmentation, the payload is within autobahn's size limit, and frame or
  octet logging is off. daphne must still count the connection as connected, and the transport
  must be a plain TCP (or UNIX) Twisted connection that is neither closing nor half-closed; TLS
  terminated by daphne itself falls back. Anything unexpected means the ordinary ASGI send.
- autobahn's traffic counters (`trafficStats`) are kept up to date the way `sendMessage` would;
  nothing in daphne reads them, but they stay true.

Assumed of the versions pinned in requirements/base.txt (VERIFIED_WITH; checked once per process,
and any other installed version turns the path off with a warning): daphne hands the application
`send=functools.partial(server.handle_reply, protocol)` and keeps `server.connections`; autobahn's
protocol attributes `state`, `STATE_OPEN`, `_perMessageCompress`, `send_queue`, `send_state`,
`trafficStats` and its options; Twisted's `FileDescriptor` buffer (`dataBuffer`, `offset`,
`_tempDataLen`), `connected`, `disconnecting`, `_writeDisconnected` and `socket`. Anything missing
is found when the socket starts and the socket then uses the ordinary path. The setting
`CHAT_DIRECT_WRITES` (default on) turns the whole thing off.
"""

from __future__ import annotations

import functools
import logging
import struct
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# The versions whose internals this module was checked against. An upgrade must re-check every
# attribute named above (and the fan-out tests under daphne) before changing these.
VERIFIED_WITH: dict[str, str] = {"daphne": "4.2.3", "autobahn": "26.10.2", "Twisted": "26.10.0"}

_HEADER_16 = struct.Struct("!BBH")
_HEADER_64 = struct.Struct("!BBQ")
FIN_TEXT = 0x81  # FIN + opcode 1 (text); server frames carry no mask


def encode_text_frame(payload: bytes) -> bytes:
    """One final, unmasked WebSocket text frame (RFC 6455 5.2) carrying `payload` (UTF-8)."""
    n = len(payload)
    if n <= 125:
        return bytes((FIN_TEXT, n)) + payload
    if n <= 0xFFFF:
        return _HEADER_16.pack(FIN_TEXT, 126, n) + payload
    return _HEADER_64.pack(FIN_TEXT, 127, n) + payload


class FanoutFrame(dict[str, Any]):
    """The ASGI `websocket.send` message of one event, shared by all its recipients, which also
    carries the event's WebSocket frame, built on first use. It is an ordinary ASGI message to
    anything that sends it the ordinary way. It must not be changed."""

    __slots__ = ("_payload_len", "_wire")

    def __init__(self, text: str) -> None:
        super().__init__(type="websocket.send", text=text)
        self._wire: bytes | None = None
        self._payload_len = 0

    @property
    def wire(self) -> bytes:
        wire = self._wire
        if wire is None:
            payload = self["text"].encode("utf-8")
            self._payload_len = len(payload)
            wire = self._wire = encode_text_frame(payload)
        return wire

    @property
    def payload_len(self) -> int:
        self.wire  # noqa: B018 - builds it
        return self._payload_len


def shared_frame(frame: dict[str, Any]) -> dict[str, Any]:
    """`frame` as a FanoutFrame when it is a plain text message (else unchanged)."""
    if type(frame) is FanoutFrame:
        return frame
    text = frame.get("text")
    if frame.get("type") == "websocket.send" and isinstance(text, str) and len(frame) == 2:
        return FanoutFrame(text)
    return frame


class DirectSocket:
    """One daphne WebSocket connection, written to directly. Made by `for_send`."""

    __slots__ = ("connections", "ground", "protocol", "sock", "state_open", "transport")

    def __init__(self, protocol: Any, connections: dict[Any, Any]) -> None:
        self.protocol = protocol
        self.transport = protocol.transport
        self.sock = self.transport.socket
        self.connections = connections
        self.state_open = protocol.STATE_OPEN
        self.ground = protocol.SEND_STATE_GROUND

    def write(self, frame: FanoutFrame) -> bool:
        """Send `frame` on the connection; False when it must go the ordinary way instead.
        Raises what encoding the text raises (as the ordinary way would)."""
        protocol = self.protocol
        if (
            protocol.state != self.state_open
            or protocol._perMessageCompress is not None
            or protocol.send_queue
            or protocol.send_state != self.ground
        ):
            return False
        connection = self.connections.get(protocol)
        if connection is None or connection.get("disconnected"):
            return False
        transport = self.transport
        if not transport.connected or transport.disconnecting or transport._writeDisconnected:
            return False
        data = frame.wire
        size = frame._payload_len
        limit = protocol.maxMessagePayloadSize
        if limit and size > limit:
            return False  # autobahn refuses it; let it say so
        stats = protocol.trafficStats
        stats.outgoingWebSocketMessages += 1
        stats.outgoingWebSocketFrames += 1
        stats.outgoingOctetsAppLevel += size
        stats.outgoingOctetsWebSocketLevel += size
        stats.outgoingOctetsWireLevel += len(data)
        if transport._tempDataLen or len(transport.dataBuffer) != transport.offset:
            # Twisted still holds earlier bytes: behind them, in order.
            transport.write(data)
            return True
        try:
            sent = self.sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            # A broken connection: Twisted's own write meets the error again and closes the
            # connection its usual way (connectionLost, autobahn's and daphne's cleanup).
            transport.write(data)
            return True
        if sent < len(data):
            transport.write(data[sent:])
        return True


def installed_versions() -> dict[str, str | None]:
    """The installed version of each package in VERIFIED_WITH (None: not installed)."""
    found: dict[str, str | None] = {}
    for name in VERIFIED_WITH:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def versions_verified(installed: Mapping[str, str | None]) -> bool:
    """Whether `installed` are the versions this module was checked against; logs the
    difference once as a warning when not."""
    differ = {name: version for name, version in installed.items() if version != VERIFIED_WITH.get(name)}
    if differ:
        logger.warning("chat sockets: direct fan-out writes off: verified with %s, installed %s", VERIFIED_WITH, differ)
    return not differ


@functools.cache
def available() -> bool:
    """Whether this process may write directly: checked at start-up (chat.routing), once."""
    return versions_verified(installed_versions())


def for_send(send: Any) -> DirectSocket | None:
    """The direct writer of the connection behind the ASGI `send` daphne gave the application,
    or None (setting off, unverified versions, not daphne, or a connection this module does not
    know how to write)."""
    if not getattr(settings, "CHAT_DIRECT_WRITES", True) or not available():
        return None
    return _daphne_connection(send)


def _daphne_connection(send: Any) -> DirectSocket | None:
    if not isinstance(send, functools.partial) or send.keywords or len(send.args) != 1:
        return None
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
        from twisted.internet.tcp import Connection
    except ImportError:
        return None
    server = getattr(send.func, "__self__", None)
    if not isinstance(server, Server) or getattr(send.func, "__name__", "") != "handle_reply":
        return None
    if not isinstance(send.args[0], WebSocketProtocol):
        return None
    protocol: Any = send.args[0]  # autobahn's options are set on it at run time
    try:
        transport = protocol.transport
        usable = (
            isinstance(transport, Connection)
            and type(transport).write is Connection.write
            and not transport.TLS
            and isinstance(transport.dataBuffer, bytes)
            and isinstance(transport.offset, int)
            and isinstance(transport._tempDataLen, int)
            and isinstance(transport._writeDisconnected, bool)
            and transport.socket is not None
            and isinstance(server.connections, dict)
            and protocol.factory.isServer
            and not protocol.maskServerFrames
            and not protocol.autoFragmentSize
            and not protocol.logFrames
            and not protocol.logOctets
            and not protocol.trackedTimings
            and hasattr(protocol, "send_queue")
            and hasattr(protocol, "send_state")
            and hasattr(protocol, "_perMessageCompress")
            and hasattr(protocol.trafficStats, "outgoingOctetsWireLevel")
        )
    except AttributeError:
        usable = False
    if not usable:
        logger.debug("chat socket: direct writes not available for this connection")
        return None
    return DirectSocket(protocol, server.connections)
