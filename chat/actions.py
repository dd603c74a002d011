from __future__ import annotations

from django.utils.text import slugify

from accounts.models import User
from chat.models import Room


def do_create_room(*, name: str, creator: User | None, kind: str = Room.Kind.PUBLIC, topic: str = "") -> Room:
    """Create a room. Precondition: the connection is in the tenant's schema."""
    return Room.objects.create(name=name, slug=slugify(name) or "room", kind=kind, topic=topic, created_by=creator)
