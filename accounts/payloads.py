"""How a person appears inside other objects of the API and the socket."""

from __future__ import annotations

from typing import Any

from accounts.models import User


def author_payload(user: User | None) -> dict[str, Any] | None:
    """`{id, name}`, or None for a person since deleted."""
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name()}
