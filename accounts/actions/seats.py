"""Seats: the people a workspace's plan counts, and whether one more fits.

A seat is taken by a person who joins (an accepted invitation or open sign-up) or is
reactivated, and given back by deactivation; the counter is kept by config.limits in the
transaction of that change. Invitations sent by people are promised seats: an invite is refused
when the active people and those invitations already fill the plan, so nobody is invited into a
workspace they could not join. Open sign-up requests are not counted, or anyone could fill a
workspace's seats by asking for links.
"""

from __future__ import annotations

from accounts.models import Invitation, User
from config import limits
from config.api.errors import Refused
from tenants.models import Client


def active_people() -> int:
    return User.objects.filter(is_active=True).count()


def promised_seats() -> int:
    """Active people and the usable invitations people sent (in the connection's schema)."""
    return active_people() + Invitation.objects.usable().filter(invited_by__isnull=False).count()


def check_seat_to_invite(tenant: Client) -> None:
    """Raise ReadOnlyWorkspace or PlanLimitReached unless one more person can be invited."""
    limits.check_writable(tenant)
    if limits.limit_of(tenant, "seats") is not None:
        limits.check_room(tenant, "seats", used=promised_seats())


def check_seat_to_join(tenant: Client) -> None:
    """Raise ReadOnlyWorkspace or PlanLimitReached unless one more person can join now (what the
    sign-up and invitation pages ask before showing their form; joining itself reserves)."""
    limits.check_writable(tenant)
    if limits.limit_of(tenant, "seats") is not None:
        limits.check_room(tenant, "seats", used=active_people())


def seat_refusal(*, tenant: Client, join: bool = False) -> str | None:
    """The sentence a page shows instead of its invite or join form, or None when it fits."""
    try:
        (check_seat_to_join if join else check_seat_to_invite)(tenant)
    except Refused as exc:
        return str(exc.detail)
    return None
