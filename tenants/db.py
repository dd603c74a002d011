"""Entering a tenant's schema outside a request, and typed access to the tenant-aware connection
(django-tenants adds its methods at run time).

`in_tenant(tenant)` is the one way code that is not a request (a socket frame, a Celery task, a
management command, the ordering feed) enters a tenant's schema: the tenant is passed in, never
read from the connection, and whatever schema was in use before comes back afterwards, so the
blocks nest. `in_public()` is the same for the public schema's tables (plans, domains, billing).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, connections
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

if TYPE_CHECKING:
    from tenants.models import Client

T = TypeVar("T")
P = ParamSpec("P")


def _tenant_connection() -> Any:
    return cast(Any, connection)


@contextmanager
def in_tenant(tenant: Client) -> Iterator[Client]:
    """`tenant`'s schema on this thread's connection for the block (django-tenants'
    `tenant_context`: the schema before it is restored on the way out)."""
    with tenant_context(tenant):
        yield tenant


@contextmanager
def in_public() -> Iterator[None]:
    """The public schema for the block, the schema before it afterwards."""
    with schema_context(get_public_schema_name()):
        yield


@contextmanager
def in_tenant_on_socket_thread(tenant: Client) -> Iterator[Client]:
    """`in_tenant` for work on a socket database thread (`on_database_thread`). Those threads
    serve sockets only, and every call on them enters the schema it needs here first, so the
    schema is left set afterwards: django-tenants sends `SET search_path` whenever the schema
    is set again, and going back to public after every call made every frame and handshake pay
    that round trip (a third of a handshake's database time in a reconnect storm). On Channels'
    one shared thread (`SOCKET_DATABASE_THREADS` 1) the connection goes back to public, since
    other code runs there too."""
    if _socket_threads() is None:
        try:
            with in_tenant(tenant):
                yield tenant
        finally:
            use_public_schema()
        return
    database = _tenant_connection()
    if database.tenant is None or database.schema_name != tenant.schema_name:
        database.set_tenant(tenant)
    yield tenant


def public_on_socket_thread() -> None:
    """Before a public-schema query on a socket database thread. The shared apps' tables exist in
    the public schema only, and every tenant's search path ends with public, so whichever schema
    the last call left set finds them: only a fresh connection needs one set."""
    database = _tenant_connection()
    if _socket_threads() is None or database.schema_name is None:
        use_public_schema()


def current_schema() -> str:
    return str(_tenant_connection().schema_name)


def use_public_schema() -> None:
    """Back to the public schema for good: a thread that served a tenant hands its connection
    on clean (the socket's database thread, a provisioning step)."""
    _tenant_connection().set_schema_to_public()


class SocketThreads:
    """The process's socket database threads: a queue of calls, each answered on the caller's
    event loop. Lighter than a ThreadPoolExecutor behind asgiref's SyncToAsync, whose context
    copying, futures and locks cost a send 8% of the process's CPU and a handshake 5% more
    (docs/benchmarks.md); nothing here needs them: the connections are per thread, and the work
    sets its own context (chat.events.capture)."""

    def __init__(self, count: int) -> None:
        self._calls: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]]]
        self._calls = queue.SimpleQueue()
        for number in range(count):
            threading.Thread(target=self._serve, name=f"socket-db-{number}", daemon=True).start()

    async def call(self, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()
        self._calls.put((loop, answer, work))
        return await answer

    def _serve(self) -> None:
        while True:
            loop, answer, work = self._calls.get()
            try:
                result = _tidy_after(work)
            except BaseException as exc:  # the caller's to handle
                _answer(loop, answer, error=exc)
            else:
                _answer(loop, answer, result=result)


def _answer(
    loop: asyncio.AbstractEventLoop,
    answer: asyncio.Future[Any],
    *,
    result: Any = None,
    error: BaseException | None = None,
) -> None:
    def settle() -> None:
        if answer.cancelled():
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(result)

    # A loop closed meanwhile (a test's) has nobody left to answer.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle)


@functools.cache
def _socket_threads() -> SocketThreads | None:
    count = settings.SOCKET_DATABASE_THREADS
    return SocketThreads(count) if count > 1 else None


def _tidy_after(work: Callable[[], T]) -> T:
    """`work()` on a socket database thread. After it, the thread's connection is closed if it
    failed or outlived CONN_MAX_AGE, as Channels does around every call; but it is not
    health-checked before the next one (CONN_HEALTH_CHECKS' `SELECT 1`), which would cost every
    frame and handshake a round trip. A connection the database dropped fails one call, is
    found unusable after it and replaced."""
    try:
        return work()
    finally:
        for database in connections.all(initialized_only=True):
            database.close_if_unusable_or_obsolete()
            if database.connection is not None:
                database.health_check_done = True  # type: ignore[attr-defined]


def on_database_thread(func: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """`func` as a coroutine function that runs it on one of the process's socket database
    threads (`SOCKET_DATABASE_THREADS`, each with its own connection, kept for CONN_MAX_AGE).
    What sockets do with the database (the handshake, every frame, the rooms' order) goes this
    way; `func` enters a schema itself (`in_tenant`) and leaves the connection in the public
    schema."""
    threads = _socket_threads()
    if threads is None:  # Channels' one thread, shared with everything else of the process
        return cast(Callable[P, Awaitable[T]], database_sync_to_async(func))

    async def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return await threads.call(functools.partial(func, *args, **kwargs))

    return call
