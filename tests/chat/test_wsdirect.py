"""Fan-out frames framed once and written straight to the socket (chat.realtime.wsdirect): the frames are
what a WebSocket client parses, a partly written frame is finished by Twisted's buffer, and
anything else takes the ordinary ASGI send. The end-to-end test through daphne is
tests/integration/test_direct_fanout.py."""

from __future__ import annotations

import functools
import socket
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from chat.realtime import wsdirect


def parse(data: bytes) -> tuple[Frame, bytes]:
    """The first frame of `data` as the `websockets` client parses it, and what follows it."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False, max_size=None)
    try:
        next(parser)
    except StopIteration as done:
        return done.value, bytes(reader.buffer)
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_frame_of_every_length_class_parses_as_one_final_text_frame(length: int) -> None:
    text = "a" * length
    frame, rest = parse(wsdirect.FanoutFrame(text).wire)
    assert (frame.opcode, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3) == (Opcode.TEXT, True, False, False, False)
    assert frame.data.decode("utf-8") == text
    assert rest == b""


@pytest.mark.parametrize(
    "text", ["é", "日本語のメッセージ", "🙂" * 31, "🙂" * 16_384, "ß😀" * 5_000, "\u0000\u07ff\uffff"]
)
def test_non_ascii_text_is_sent_as_utf8(text: str) -> None:
    frame, rest = parse(wsdirect.FanoutFrame(text).wire)
    assert frame.opcode == Opcode.TEXT
    assert frame.data.decode("utf-8") == text
    assert rest == b""


def test_length_boundaries_use_the_shortest_header() -> None:
    assert wsdirect.encode_text_frame(b"x" * 125)[:2] == b"\x81\x7d"
    assert wsdirect.encode_text_frame(b"x" * 126)[:4] == b"\x81\x7e\x00\x7e"
    assert wsdirect.encode_text_frame(b"x" * 65535)[:4] == b"\x81\x7e\xff\xff"
    assert wsdirect.encode_text_frame(b"x" * 65536)[:10] == b"\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"


def test_frame_is_an_ordinary_asgi_message_framed_once() -> None:
    frame = wsdirect.FanoutFrame('{"type":"message.new"}')
    assert frame == {"type": "websocket.send", "text": '{"type":"message.new"}'}
    assert frame.wire is frame.wire
    assert frame.payload_len == len('{"type":"message.new"}')


def test_only_plain_text_messages_are_shared() -> None:
    plain = {"type": "websocket.send", "text": "hi"}
    shared = wsdirect.shared_frame(plain)
    assert type(shared) is wsdirect.FanoutFrame and shared == plain
    assert wsdirect.shared_frame(shared) is shared
    binary = {"type": "websocket.send", "bytes": b"hi"}
    assert wsdirect.shared_frame(binary) is binary


def test_a_send_that_is_not_daphnes_takes_the_ordinary_way() -> None:
    async def send(message: dict[str, Any]) -> None:
        pass

    assert wsdirect.for_send(send) is None
    assert wsdirect.for_send(functools.partial(send)) is None


# -- writing, on a real socket pair with stand-ins for autobahn and Twisted ----------------------

OPEN, CLOSING, GROUND = 3, 2, 0


class Transport:
    """What DirectSocket reads and calls of a Twisted TCP connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock
        self.connected = True
        self.disconnecting = False
        self._writeDisconnected = False
        self.dataBuffer = b""
        self.offset = 0
        self._tempDataLen = 0
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)
        self._tempDataLen += len(data)


class Protocol(SimpleNamespace):
    """What DirectSocket reads of an autobahn protocol (hashable, as daphne keys it)."""

    __hash__ = object.__hash__


def connection(sock: socket.socket) -> tuple[wsdirect.DirectSocket, Any]:
    stats = SimpleNamespace(
        outgoingWebSocketMessages=0,
        outgoingWebSocketFrames=0,
        outgoingOctetsAppLevel=0,
        outgoingOctetsWebSocketLevel=0,
        outgoingOctetsWireLevel=0,
    )
    protocol = Protocol(
        STATE_OPEN=OPEN,
        SEND_STATE_GROUND=GROUND,
        state=OPEN,
        _perMessageCompress=None,
        send_queue=[],
        send_state=GROUND,
        maxMessagePayloadSize=0,
        trafficStats=stats,
        transport=Transport(sock),
    )
    return wsdirect.DirectSocket(protocol, {protocol: {}}), protocol


@pytest.fixture
def pair() -> Any:
    server, client = socket.socketpair()
    server.setblocking(False)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    yield server, client
    server.close()
    client.close()


def receive_all(client: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        assert chunk
        data += chunk
    return data


def test_a_frame_the_socket_takes_whole_goes_straight_out(pair: Any) -> None:
    server, client = pair
    direct, protocol = connection(server)
    frame = wsdirect.FanoutFrame("héllo")
    assert direct.write(frame)
    assert protocol.transport.written == []
    assert receive_all(client, len(frame.wire)) == frame.wire
    stats = protocol.trafficStats
    assert (stats.outgoingWebSocketMessages, stats.outgoingOctetsAppLevel) == (1, len("héllo".encode()))
    assert stats.outgoingOctetsWireLevel == len(frame.wire)


def test_what_the_socket_does_not_take_is_left_to_twisted_and_later_frames_queue_behind_it(pair: Any) -> None:
    server, client = pair
    direct, protocol = connection(server)
    big = wsdirect.FanoutFrame("🙂" * 100_000)
    after = wsdirect.FanoutFrame("next")
    assert direct.write(big)
    transport = protocol.transport
    assert len(transport.written) == 1
    sent = len(big.wire) - len(transport.written[0])
    assert 0 < sent < len(big.wire)
    assert big.wire[sent:] == transport.written[0]
    # Twisted holds bytes now: the next frame must not overtake them.
    assert direct.write(after)
    assert transport.written[1] == after.wire
    assert receive_all(client, sent) == big.wire[:sent]


def test_a_socket_that_would_block_leaves_the_whole_frame_to_twisted(pair: Any) -> None:
    server, _client = pair
    direct, protocol = connection(server)
    with pytest.raises(BlockingIOError):
        while True:
            server.send(b"x" * 65536)
    frame = wsdirect.FanoutFrame("late")
    assert direct.write(frame)
    assert protocol.transport.written == [frame.wire]


@pytest.mark.parametrize(
    "change",
    [
        {"state": CLOSING},
        {"_perMessageCompress": object()},
        {"send_queue": [(b"x", True)]},
        {"send_state": 1},
        {"maxMessagePayloadSize": 3},
    ],
)
def test_a_connection_autobahn_must_handle_takes_the_ordinary_way(pair: Any, change: dict[str, Any]) -> None:
    server, _client = pair
    direct, protocol = connection(server)
    for name, value in change.items():
        setattr(protocol, name, value)
    assert not direct.write(wsdirect.FanoutFrame("hello"))
    assert protocol.transport.written == []
    assert protocol.trafficStats.outgoingWebSocketMessages == 0


@pytest.mark.parametrize("change", [{"connected": False}, {"disconnecting": True}, {"_writeDisconnected": True}])
def test_a_closing_transport_takes_the_ordinary_way(pair: Any, change: dict[str, Any]) -> None:
    server, _client = pair
    direct, protocol = connection(server)
    for name, value in change.items():
        setattr(protocol.transport, name, value)
    assert not direct.write(wsdirect.FanoutFrame("hello"))


def test_a_connection_daphne_counts_as_gone_takes_the_ordinary_way(pair: Any) -> None:
    server, _client = pair
    direct, protocol = connection(server)
    direct.connections[protocol]["disconnected"] = 1.0
    assert not direct.write(wsdirect.FanoutFrame("hello"))
    del direct.connections[protocol]
    assert not direct.write(wsdirect.FanoutFrame("hello"))


def test_a_broken_socket_is_left_to_twisted_to_close(pair: Any) -> None:
    server, client = pair
    direct, protocol = connection(server)
    client.close()
    frame = wsdirect.FanoutFrame("hello")
    assert direct.write(frame)
    assert protocol.transport.written in ([], [frame.wire])  # the first send may still succeed
    assert direct.write(frame)
    assert protocol.transport.written[-1] == frame.wire


@override_settings(CHAT_DIRECT_WRITES=False)
def test_the_setting_turns_it_off() -> None:
    from daphne.server import Server

    server = Server.__new__(Server)
    assert wsdirect.for_send(functools.partial(server.handle_reply, object())) is None
