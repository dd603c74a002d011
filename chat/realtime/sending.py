"""Sends that arrive together go to the database together.

A socket hands its `message.send` here and waits for the outcome. A tenant's sends are written one
batch at a time: a send that arrives while a batch is being written waits for it, then goes with
every other send that arrived meanwhile (up to MAX_BATCH) in one database call and one transaction
(chat.actions.sending.do_send_messages): one thread hop, one statement, one count for the plan and
one commit for all of them, where each send paid its own before (docs/benchmarks.md). A send that
finds nothing being written goes at once, so a quiet room waits for nothing.

Order is kept: a room's messages take their `seq` in the order their sends arrived here, and one
socket's sends (its consumer awaits each frame) cannot pass each other. Each send still answers
for itself: its person is reloaded, its access checked, and a refusal is its own `error` frame;
what refuses the whole batch (a read-only workspace, a lost database) is every send's error.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from accounts.selectors import people_by_id
from chat import events
from chat.access import access_room_to_post
from chat.actions import Send, do_send_messages
from chat.attachments import access_to_share
from chat.realtime.client import publish
from chat.realtime.database import Person, in_socket_tenant, still_theirs
from chat.realtime.frames import SendMessage
from config.loops import of_running_loop
from tenants.db import on_database_thread
from tenants.models import Client

logger = logging.getLogger(__name__)

MAX_BATCH = 64


@dataclass(frozen=True)
class Sent:
    message_id: int
    # False: the send repeated a stored `client_id`, and the stored message answers.
    created: bool
    # The `message.new` frame, encoded, for the sender's own copy.
    text: str
    # People the message names who are not in the room (chat.actions.sending.SendResult).
    not_in_room: list[dict[str, object]] = field(default_factory=list)
    can_add_members: bool = False


@dataclass(frozen=True)
class _Waiting:
    person: Person
    request: SendMessage
    done: asyncio.Future[Sent]


class Batches:
    """The sends of one event loop's sockets, per tenant."""

    def __init__(self) -> None:
        self._waiting: dict[int, list[_Waiting]] = {}
        self._writers: dict[int, asyncio.Task[None]] = {}
        # Per tenant, the newest batch still being announced: the next one waits for it.
        self._announcing: dict[int, asyncio.Task[None]] = {}

    async def send(self, person: Person, request: SendMessage) -> Sent:
        done = asyncio.get_running_loop().create_future()
        # Every sender may be gone by the time it fails: the failure is theirs, not a leak.
        done.add_done_callback(lambda future: future.cancelled() or future.exception())
        tenant = person.tenant
        self._waiting.setdefault(tenant.pk, []).append(_Waiting(person, request, done))
        if tenant.pk not in self._writers:
            task = asyncio.create_task(self._write_while_waiting(tenant))
            self._writers[tenant.pk] = task
            task.add_done_callback(lambda _: self._writers.pop(tenant.pk, None))
        # A sender whose socket closed must not cancel the others' batch.
        return await asyncio.shield(done)

    async def _write_while_waiting(self, tenant: Client) -> None:
        try:
            while waiting := self._waiting.pop(tenant.pk, None):
                batch, rest = waiting[:MAX_BATCH], waiting[MAX_BATCH:]
                if rest:
                    self._waiting[tenant.pk] = rest
                await self._write(tenant, batch)
        finally:
            for left in self._waiting.pop(tenant.pk, []):
                left.done.cancel()

    async def _write(self, tenant: Client, batch: list[_Waiting]) -> None:
        try:
            requests = [(waiting.person, waiting.request) for waiting in batch]
            outcomes, captured = await on_database_thread(_write_batch)(tenant, requests)
        except Exception as exc:
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(exc)
            return
        except BaseException:
            for waiting in batch:
                waiting.done.cancel()
            raise
        # The next batch is written while this one is announced; announcements keep their order.
        previous = self._announcing.get(tenant.pk)
        task = asyncio.create_task(_announce(previous, batch, outcomes, captured))
        self._announcing[tenant.pk] = task
        task.add_done_callback(lambda done: self._announcing.get(tenant.pk) is done and self._announcing.pop(tenant.pk))


async def _announce(
    previous: asyncio.Task[None] | None,
    batch: list[_Waiting],
    outcomes: list[Sent | Exception],
    captured: list[events.Outgoing],
) -> None:
    """Committed: the rooms hear of the messages, then their senders are answered."""
    if previous is not None:
        await asyncio.wait([previous])
    await publish(captured)
    for waiting, outcome in zip(batch, outcomes, strict=True):
        if waiting.done.done():
            continue
        if isinstance(outcome, Exception):
            waiting.done.set_exception(outcome)
        else:
            waiting.done.set_result(outcome)


def _write_batch(
    tenant: Client, requests: list[tuple[Person, SendMessage]]
) -> tuple[list[Sent | Exception], list[events.Outgoing]]:
    """On a socket database thread: each request's person reloaded and access checked, then the
    sends that passed written together."""

    def work() -> tuple[list[Sent | Exception], list[events.Outgoing]]:
        outcomes: list[Sent | Exception | None] = [None] * len(requests)
        sends: list[tuple[int, Send]] = []
        # Every sender reloaded, in one statement for the batch.
        people = people_by_id(sorted({person.user_id for person, _ in requests}))
        for index, (person, request) in enumerate(requests):
            try:
                user = still_theirs(person, people.get(person.user_id))
                room = access_room_to_post(user, request.room).room
                # Most messages carry nothing: no need to build the readable-documents query.
                attachments = access_to_share(user, request.attachments) if request.attachments else []
                sends.append((index, Send(user, room, request.body, request.client_id, request.thread, attachments)))
            except Exception as error:  # this send's refusal, answered to its socket alone
                outcomes[index] = error
        with events.capture() as captured:
            results = do_send_messages(tenant=tenant, sends=[send for _, send in sends])
        for (index, _), result in zip(sends, results, strict=True):
            if isinstance(result, Exception):
                outcomes[index] = result
            else:
                text = events.encode({"type": "message.new", "message": result.payload})
                outcomes[index] = Sent(
                    message_id=result.message.pk,
                    created=result.created,
                    text=text,
                    not_in_room=result.not_in_room,
                    can_add_members=result.can_add_members,
                )
        return [outcome for outcome in outcomes if outcome is not None], list(captured)

    return in_socket_tenant(tenant, work)


def batches() -> Batches:
    """The running loop's."""
    return of_running_loop(Batches, Batches)
