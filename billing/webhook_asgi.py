"""Stripe's webhooks answered at the ASGI level under daphne, before Django's handler: the same
checks and statements as billing.webhooks (billing.intake), on the event loop over the process's
asyncio connection (config.asyncdb). Through Django's handler an answer cost about 10 ms of the
process's time, and under a burst of 20 at once the slowest waited 300 ms (bench/billing.py).

Stored events go to the workers in batches, off the answer's path (`Dispatcher`): one Celery send
cost more than the rest of an answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

from billing import intake
from config.asyncdb import LoopConnection, header, respond
from tenants.domains.names import host_key
from tenants.tls import is_platform_host

logger = logging.getLogger(__name__)

# An endpoint's secret is kept this long: a burst asks for it once, and a new or removed
# endpoint counts within seconds.
ENDPOINT_SECONDS = 10.0
# Events stored by this process wait this long for others to join them in one task.
BATCH_SECONDS = 0.05
BATCH_SIZE = 200

PATH = re.compile(r"^/stripe/webhook/(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/$")
database = LoopConnection()
_endpoints: dict[str, tuple[float, tuple[str, int] | None]] = {}


async def _endpoint(uuid: str) -> tuple[str, int] | None:
    """The endpoint's (secret, tolerance), or None when there is no such endpoint."""
    now = time.monotonic()
    kept = _endpoints.get(uuid)
    if kept is not None and now - kept[0] < ENDPOINT_SECONDS:
        return kept[1]
    row = await database.fetchone(intake.ENDPOINT_SQL, [uuid])
    found = (str(row[0]), int(row[1])) if row is not None else None
    if len(_endpoints) > 100:  # only made-up uuids pile up; forget them all
        _endpoints.clear()
    _endpoints[uuid] = (now, found)
    return found


class Dispatcher:
    """Sends the ids of stored events to the workers, those that came within BATCH_SECONDS of
    each other in one task. An id lost here (the process killed before its send) stays pending
    in the database, and billing.sweep_pending_events applies it within two minutes."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._sending: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, event_id: str) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # the ids and the task belong to one loop (daphne has one)
            self._loop, self._ids, self._sending = loop, [], None
        self._ids.append(event_id)
        if self._sending is None or self._sending.done():
            self._sending = loop.create_task(self._send_soon())

    async def _send_soon(self) -> None:
        await asyncio.sleep(BATCH_SECONDS)
        while self._ids:
            batch, self._ids = self._ids[:BATCH_SIZE], self._ids[BATCH_SIZE:]
            try:
                await asyncio.to_thread(intake.enqueue, batch)
            except Exception:
                logger.exception("stripe webhook: %d stored events not sent (the sweep applies them)", len(batch))


dispatcher = Dispatcher()


async def _read_body(receive: Any) -> bytes | None:
    """The body, or None once it grows past MAX_BODY_BYTES."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > intake.MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _answer(scope: dict[str, Any], receive: Any, uuid: str) -> intake.Answer:
    if scope["method"] != "POST":
        return intake.NOT_POST
    endpoint = await _endpoint(uuid)
    if endpoint is None:
        return intake.NO_ENDPOINT
    body = await _read_body(receive)
    if body is None:
        return intake.TOO_LARGE
    event = intake.check(uuid, body, header(scope, b"stripe-signature") or None, *endpoint)
    if isinstance(event, intake.Answer):
        return event
    new = await database.fetchone(intake.INSERT_SQL, intake.insert_params(event, body)) is not None
    if new:  # committed (autocommit): its task may run at once
        dispatcher.add(event["id"])
    return intake.stored(event, new=new)


class StripeWebhookApplication:
    """ASGI: Stripe's webhook on the platform host; every other request goes to `inner`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match is None or not is_platform_host(host_key(header(scope, b"host"))):
            await self.inner(scope, receive, send)
            return
        answer = await _answer(scope, receive, match["uuid"])
        await respond(send, answer.status, json.dumps(answer.body).encode(), json=True)
