from __future__ import annotations

from rest_framework.request import Request
from rest_framework_simplejwt.authentication import AuthUser, JWTAuthentication
from rest_framework_simplejwt.tokens import Token

from accounts.tokens import verify_tenant_claim


class TenantJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access>`, accepted only on the tenant that issued the token."""

    def authenticate(self, request: Request) -> tuple[AuthUser, Token] | None:
        result = super().authenticate(request)
        if result is not None:
            verify_tenant_claim(result[1], getattr(request, "tenant", None))
        return result  # type: ignore[return-value]  # simplejwt types its TypeVar per call site
