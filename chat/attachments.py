"""What a message carries besides its text, as chat sees it: things another app owns (documents),
reached only through this interface, so chat never imports that app.

The app that owns them subclasses `Attachments` and registers it from its AppConfig.ready();
until then a message carries nothing, and asking to attach anything answers "not found".
The functions below are what chat calls: the socket and the API check what a person attaches
with `access_to_share`, the send action stores it in its transaction, payloads read it for many
messages at once, and the search box, the API schema and the chat page ask it for their part.

Precondition everywhere: the connection is set to the tenant's schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Prefetch
from rest_framework import serializers

from accounts.models import User
from chat.models import Message, Room
from config.api.errors import NotFound
from tenants.models import Client

# A message carries at most this many attachments.
MAX_ATTACHMENTS = 10


class AttachmentHit(Protocol):
    """One search hit among attachments, ranked like message hits (chat.search_all merges them)."""

    @property
    def rank(self) -> float: ...

    def after(self) -> object:
        """The position of a page that starts just after this hit, as `search` takes it."""
        ...

    def result(self) -> dict[str, Any]:
        """The hit as `/api/search/` lists it."""
        ...


@dataclass(frozen=True)
class AttachmentQuery:
    """A search among attachments `user` may read: `room` keeps to those shared there (readable:
    the caller checked), `author` to that person's, `after` and `before` bound when they were
    shared ([after, before)); `cursor` is a position from an earlier page."""

    user: User
    q: str
    room: Room | None
    author: int | None
    after: datetime | None
    before: datetime | None
    limit: int
    cursor: object | None


@dataclass(frozen=True)
class AttachmentHits:
    hits: Sequence[AttachmentHit]
    # After the last hit, when there may be more: a JSON value `search` takes back as `cursor`.
    next: object | None


class Attachments:
    """The interface, and its default: messages that carry nothing."""

    def access_to_share(self, user: User, ids: Iterable[object]) -> Sequence[object]:
        """What a message of `user` may carry, in the order given, each once. Raises NotFound
        when any id is not one `user` may share, AccessDenied past MAX_ATTACHMENTS."""
        if any(True for _ in ids):
            raise NotFound
        return []

    def store(self, message: Message, attached: Sequence[object]) -> None:
        """Record what `message` carries. Precondition: inside the transaction that writes
        `message`, and `attached` came from `access_to_share`."""

    def unlink(self, message: Message) -> None:
        """`message` was deleted: it carries nothing any more. Precondition: inside the
        transaction that deletes it."""

    def prefetch(self) -> list[Prefetch[Any]]:
        """What a queryset of messages prefetches so that `payloads` reads no more rows."""
        return []

    def payloads(self, message: Message) -> list[dict[str, Any]]:
        """What `message` carries, as its payload's `attachments`, from the rows `prefetch` loaded."""
        return []

    def payload(self, attached: object) -> dict[str, Any]:
        """One of what `access_to_share` returned, as a payload's attachment. The default shares
        nothing, so nothing can reach it here."""
        raise LookupError(f"no attachment kind is registered to carry {attached!r}")

    def field(self) -> serializers.Field:
        """The `attachments` field of the message in the API schema."""
        return serializers.ListField(child=serializers.DictField(), help_text="What the message carries.")

    def search_fields(self) -> dict[str, serializers.Field]:
        """The fields an attachment hit adds to a search result in the API schema."""
        return {}

    def search(self, query: AttachmentQuery) -> AttachmentHits:
        """At most `query.limit` hits, best first."""
        return AttachmentHits(hits=[], next=None)

    def check_cursor(self, raw: object) -> object:
        """A position read back from a client's cursor; raises ValueError for anything `search`
        did not produce."""
        raise ValueError("cursor attachments")

    def page_settings(self, tenant: Client) -> dict[str, Any]:
        """What the chat page's composer needs to offer attaching (limits, why it is off)."""
        return {}


_registered = Attachments()


def register(attachments: Attachments) -> None:
    """Called once, from the owning app's AppConfig.ready()."""
    global _registered
    _registered = attachments


def registered() -> Attachments:
    return _registered


def access_to_share(user: User, ids: Iterable[object]) -> Sequence[object]:
    """What a message of `user` may carry (Attachments.access_to_share); raises NotFound or
    AccessDenied."""
    return _registered.access_to_share(user, ids)
