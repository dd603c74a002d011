"""A few asyncio PostgreSQL connections per process, for the few answers daphne gives at the ASGI
level, before Django's handler (the TLS ask, Stripe's webhooks).

Django's handler costs several thread hops per request (signals, the middleware chain) and a
hop to a database thread and back; on a busy machine that was most of an answer's time
(bench/domains.py, bench/billing.py). Queries here run on the event loop instead, in
autocommit, on the public schema's tables named in full.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.db import connections
from psycopg_pool import AsyncConnectionPool


class LoopConnection:
    """A few asyncio connections (psycopg_pool's async pool), opened on first use on the loop
    that uses them. Several, so that one answer's commit, which waits for the disk, does not
    hold up the others'; few, so that every process costs PostgreSQL little."""

    def __init__(self, max_size: int = 4) -> None:
        self.max_size = max_size
        self._pool: AsyncConnectionPool | None = None
        # The pool belongs to the loop it was opened on (daphne has one).
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _opened(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            params = {
                key: value
                for key, value in connections["default"].get_connection_params().items()
                if key not in ("cursor_factory", "context")
            }
            pool = AsyncConnectionPool(
                kwargs={**params, "autocommit": True},
                min_size=1,
                max_size=self.max_size,
                open=False,
                check=AsyncConnectionPool.check_connection,  # a database restart: reconnect
            )
            await pool.open()
            self._pool, self._loop = pool, loop
        return self._pool

    async def fetchone(self, query: str, params: list[Any] | tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row of `query`, committed at once."""
        pool = await self._opened()
        async with pool.connection() as connection:
            cursor = await connection.execute(query, params)
            return await cursor.fetchone()


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
