"""What every chat endpoint shares: the signed-in person and the documented refusals."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from config.api.common import BAD_INPUT as BAD_INPUT
from config.api.common import person as person
from config.api.common import valid as valid

FORBIDDEN = OpenApiResponse(
    description="Readable but not allowed: not a member (`not_a_member`), the room is archived (`archived`), "
    "a direct message (`direct`), not yours (`forbidden`)"
)
NOT_FOUND = OpenApiResponse(description="No such room, message or person here, or a private room you are not in")
