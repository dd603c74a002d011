from __future__ import annotations

from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User
from accounts.tokens import authenticate_access_token


class TenantJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access>`, accepted only on the tenant that issued the token and
    only while the token, its user and the user's auth epoch are all still good."""

    def authenticate(self, request: Request) -> tuple[User, object] | None:  # type: ignore[override]
        header = self.get_header(request)
        if header is None:
            return None
        raw = self.get_raw_token(header)
        if raw is None:
            return None
        return authenticate_access_token(raw, getattr(request, "tenant", None))
