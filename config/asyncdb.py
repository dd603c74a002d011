"""A few asyncio PostgreSQL connections per process, for the few answers daphne gives at the ASGI
level, before Django's handler (the TLS ask, Stripe's webhooks).

Django's handler costs several thread hops per request (signals, the middleware chain) and a
hop to a database thread and back; on a busy machine that was most of an answer's time
(bench/domains.py, bench/billing.py). Queries here run on the event loop instead, in
autocommit, on the public schema's tables named in full.

The connections are kept here rather than in psycopg_pool's async pool: that pool runs
background tasks (its scheduler, its connecting workers), and when the loop they run on is
closed while one of them is connecting, closing the loop waited on it for ever and the process
could not exit. Here nothing runs between two queries: a connection is made when a query needs
one and none is idle, and kept for the next.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
from django.db import connections

# Seconds a new connection may take before the answer fails (a refusal, not a hang).
CONNECT_TIMEOUT = 5


class LoopConnection:
    """At most `max_size` asyncio connections, on the loop that uses them. Several, so that one
    answer's commit, which waits for the disk, does not hold up the others'; few, so that every
    process costs PostgreSQL little."""

    def __init__(self, max_size: int = 4) -> None:
        self.max_size = max_size
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots: asyncio.Semaphore | None = None
        # The connections belong to the loop they were made on (daphne has one; a test makes one
        # per call).
        self._loop: asyncio.AbstractEventLoop | None = None

    def _on(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        if self._slots is None or self._loop is not loop:
            for stale in self._idle:
                stale.pgconn.finish()  # a loop that is gone: close the socket, synchronously
            self._idle, self._slots, self._loop = [], asyncio.Semaphore(self.max_size), loop
        return self._slots

    @staticmethod
    async def _connect() -> psycopg.AsyncConnection[Any]:
        params = {
            key: value
            for key, value in connections["default"].get_connection_params().items()
            if key not in ("cursor_factory", "context")
        }
        params.setdefault("connect_timeout", CONNECT_TIMEOUT)
        return await psycopg.AsyncConnection.connect(**params, autocommit=True)

    async def fetchone(self, query: str, params: list[Any] | tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row of `query`, committed at once. A kept connection that the database
        dropped (a restart) is replaced once; any other failure is the caller's."""
        async with self._on(asyncio.get_running_loop()):
            while True:
                kept = bool(self._idle)
                connection = self._idle.pop() if kept else await self._connect()
                try:
                    cursor = await connection.execute(query, params)
                    row = await cursor.fetchone()
                except psycopg.OperationalError:
                    connection.pgconn.finish()
                    if kept:
                        continue
                    raise
                except BaseException:
                    # Cancelled or failed half-way: the connection's state is unknown.
                    connection.pgconn.finish()
                    raise
                self._idle.append(connection)
                return row


def header(scope: dict[str, Any], name: bytes) -> str:
    """A request header of an ASGI scope (`name` in lower case), or ""."""
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def respond(send: Any, status: int, body: bytes = b"", *, json: bool = False) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if json:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
