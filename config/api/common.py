"""What every endpoint shares: the signed-in person, checked input, the documented refusals."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from accounts.models import User

BAD_INPUT = OpenApiResponse(description="Invalid input (`errors` names the fields)")
FORBIDDEN = OpenApiResponse(
    description="Readable but not allowed: not a member (`not_a_member`), the room is archived (`archived`), "
    "a direct message (`direct`), not yours (`forbidden`)"
)
NOT_FOUND = OpenApiResponse(description="No such room, message or person here, or a private room you are not in")


def person(request: Request) -> User:
    """The signed-in person making the request (the API's default permission makes sure there
    is one; this also tells the type checker)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def valid(serializer: type[Serializer[Any]], data: Any, **context: Any) -> dict[str, Any]:
    """The input checked by `serializer`, or a 400 naming each field that is wrong."""
    checked = serializer(data=data, context=context)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)
