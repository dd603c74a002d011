from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from chat.models import Room


def rooms_visible_to(user: User) -> QuerySet[Room]:
    """Rooms a user may list. Private rooms and memberships arrive with the chat features."""
    return Room.objects.filter(kind=Room.Kind.PUBLIC, archived_at__isnull=True)
