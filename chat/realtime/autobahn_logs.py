"""autobahn formats a debug line for every new connection, whether or not debug lines are kept.

`WebSocketProtocol._connectionMade` hands `pformat(...)` of the connection's forty-odd options
to `log.debug`, which drops it: 13% of a handshake's CPU in a reconnect storm, the largest single
cost of the handshake after daphne's own work (docs/benchmarks.md, the handshake rate). Here
the `pformat` that autobahn's protocol module calls returns a stand-in that formats on demand,
so the text is built only when a debug line is written, and reads the same when it is.

Applied once by the web process (config.asgi), and only to the autobahn version the socket edge
was checked against (chat.realtime.wsdirect.VERIFIED_WITH); any other is left as it is.
"""

from __future__ import annotations

import pprint
from typing import Any

from chat.realtime import wsdirect


class Formatted:
    """`pprint.pformat(value)`, computed when the log line asks for text."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    __repr__ = __str__


def _formatted(value: object, *args: Any, **kwargs: Any) -> Formatted:
    return Formatted(value)


def _timings_text(self: Any) -> str:
    # The module's other `pformat` caller must still return text.
    return pprint.pformat(self._timings)


def defer_connection_logs() -> bool:
    """Whether autobahn's per-connection debug text is now built on demand."""
    if not wsdirect.available():
        return False
    from autobahn.websocket import protocol

    protocol.Timings.__str__ = _timings_text  # type: ignore[method-assign]
    protocol.pformat = _formatted  # type: ignore[assignment]
    return True
