"""Reads behind the people pages and API: the directory of a tenant's people, a page at a time.

Everything here reads the schema the connection is set to, which is the request's tenant, so
no query names a tenant and none can reach another tenant's people.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import Invitation, User
from config import rows

# People per page. A module constant so tests can make pages small.
PAGE_SIZE = 50
# Longer search terms are refused by the forms and serializers; nobody's name is this long.
MAX_QUERY_LENGTH = 100
# A cursor holds an e-mail address (at most 254 characters) and an id, base64-encoded.
MAX_CURSOR_LENGTH = 600
# The people page shows this many pending invitations, newest first.
INVITATIONS_SHOWN = 100


@dataclass(frozen=True)
class Cursor:
    """A position in the directory's order (lowercased e-mail, then id): a keyset, not an offset,
    so a page costs the same however deep it is and rows added meanwhile shift nothing."""

    email_key: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.email_key, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Raise ValueError for anything this module did not produce."""
        if not value or len(value) > MAX_CURSOR_LENGTH:
            raise ValueError("cursor length")
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            email_key, pk = json.loads(raw)
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as exc:
            raise ValueError("cursor encoding") from exc
        if not isinstance(email_key, str) or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError("cursor shape")
        return cls(email_key=email_key, id=pk)

    @classmethod
    def parse(cls, value: str) -> Cursor | None:
        """For pages: no cursor, or a mangled one, means the first page."""
        try:
            return cls.decode(value) if value else None
        except ValueError:
            return None

    @classmethod
    def of(cls, user: User) -> Cursor:
        return cls(email_key=user.email.lower(), id=user.pk)


@dataclass(frozen=True)
class PeoplePage:
    people: list[User]
    # Where the next and previous pages start; None at either end.
    next: Cursor | None
    previous: Cursor | None


def _after(cursor: Cursor) -> Q:
    return Q(email_key__gt=cursor.email_key) | Q(email_key=cursor.email_key, pk__gt=cursor.id)


def _before(cursor: Cursor) -> Q:
    return Q(email_key__lt=cursor.email_key) | Q(email_key=cursor.email_key, pk__lt=cursor.id)


def people_matching(q: str = "", *, active_only: bool = False) -> QuerySet[User]:
    """Everyone in the tenant (only active people with `active_only`) whose name or e-mail
    contains `q` (any case)."""
    people = User.objects.annotate(email_key=Lower("email"))
    if active_only:
        people = people.filter(is_active=True)
    q = q.strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return people


def people_page(
    *,
    q: str = "",
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int | None = None,
    active_only: bool = False,
) -> PeoplePage:
    """One page of `people_matching(q)` in (lowercased e-mail, id) order: the page after `after`,
    the page before `before`, or the first page. One row more than a page tells whether the
    walk can go on; the way back is known from the cursor itself (or asked, when walking back)."""
    size = size or PAGE_SIZE
    people = people_matching(q, active_only=active_only)
    if before is not None:
        rows = list(people.filter(_before(before)).order_by(Lower("email").desc(), "-pk")[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True  # `before` came from a row after this page
    else:
        if after is not None:
            people = people.filter(_after(after))
        rows = list(people.order_by(Lower("email"), "pk")[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = (
            after is not None
            and bool(rows)
            and people_matching(q, active_only=active_only).filter(_before(Cursor.of(rows[0]))).exists()
        )
    return PeoplePage(
        people=rows,
        next=Cursor.of(rows[-1]) if rows and has_next else None,
        previous=Cursor.of(rows[0]) if rows and has_previous else None,
    )


def pending_invitations() -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked, expired ones included (they can be resent)."""
    return Invitation.objects.pending().select_related("invited_by").order_by("-created_at", "-pk")


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def person_by_id(user_id: object) -> User | None:
    """The person with this id, active or not; every socket's handshake asks (config.rows)."""
    try:
        pk = int(user_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    row = rows.fetch_one(_person_sql(), [pk]) if 0 < pk < 2**63 else None
    return rows.instance(User, row) if row is not None else None


def people_by_id(user_ids: list[int]) -> dict[int, User]:
    """The people with these ids, active or not (config.rows)."""
    ids = [pk for pk in user_ids if 0 < pk < 2**63]
    with connection.cursor() as cursor:
        cursor.execute(_people_sql(), [ids])
        return {user.pk: user for user in (rows.instance(User, row) for row in cursor.fetchall())}


@functools.cache
def _people_sql() -> str:
    return f'SELECT {rows.columns(User, "u")} FROM "{User._meta.db_table}" u WHERE u.id = ANY(%s)'  # noqa: S608  # nosec B608


@functools.cache
def _person_sql() -> str:
    return f'SELECT {rows.columns(User, "u")} FROM "{User._meta.db_table}" u WHERE u.id = %s'  # noqa: S608  # nosec B608
