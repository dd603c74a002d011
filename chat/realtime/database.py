"""The one way the socket edge touches the database (ARCHITECTURE rule 2).

The sockets of a process share a few database threads (`tenants.db.on_database_thread`,
each with its own connection), so every call enters the socket's tenant, does its work and leaves the
connection in the public schema, whatever happens. One socket's calls still run one at a time,
in order (its consumer awaits each frame before reading the next); calls of different sockets
run side by side, and what must be ordered between them is ordered by the database (the room's
row lock in a send) and the hub (chat.realtime.ordering). A frame's call
also reloads the person first: credentials revoked or an account deactivated since the handshake
end the socket (4401) before anything is read or written. Events the work announces are
collected (chat.events.capture) and sent by the caller from the event loop once the call has
returned, i.e. after the commit, so nobody hears of data that is not stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from accounts.models import User
from accounts.selectors import person_by_id
from chat import events
from tenants.db import in_tenant_on_socket_thread
from tenants.models import Client

T = TypeVar("T")


class Revoked(Exception):
    """The person's credentials were revoked, or they were deactivated, since the handshake."""


@dataclass(frozen=True)
class Person:
    """Who a socket serves, as the handshake found them."""

    tenant: Client
    user_id: int
    # A revocation bumps the person's epoch: a socket opened before it no longer finds them.
    auth_epoch: int


class DatabaseCall(Protocol):
    """A socket's database call (chat.realtime.client.ClientSocket.db): `run_as` on the database
    thread, then the events the work announced sent to the channel layer."""

    def __call__(self, work: Callable[[User], T], /) -> Awaitable[T]: ...


def in_socket_tenant(tenant: Client, work: Callable[[], T]) -> T:
    """`work()` in `tenant`'s schema. Precondition: runs on a socket database thread
    (tenants.db.on_database_thread), where every call enters its own schema first."""
    with in_tenant_on_socket_thread(tenant):
        return work()


def load(person: Person) -> User:
    """The socket's person as the database has them now. Raises Revoked when they may no longer
    use the socket. Precondition: in their tenant's schema."""
    return still_theirs(person, person_by_id(person.user_id))


def still_theirs(person: Person, user: User | None) -> User:
    """`user` (the person as just read), when still active and not signed out everywhere since
    the handshake; else raises Revoked."""
    if user is None or not user.is_active or user.auth_epoch != person.auth_epoch:
        raise Revoked
    return user


def run_as(person: Person, work: Callable[[User], T]) -> tuple[T, list[events.Outgoing]]:
    """`work(user)` for the socket's person, with the events it announced. Raises Revoked when
    the person may no longer use the socket."""

    def reload_and_work() -> tuple[T, list[events.Outgoing]]:
        user = load(person)
        with events.capture() as captured:
            result = work(user)
        return result, list(captured)

    return in_socket_tenant(person.tenant, reload_and_work)
