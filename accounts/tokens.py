"""API tokens bound to their tenant (ARCHITECTURE rule 5).

simplejwt's tokens carry only `user_id`, and user ids repeat in every tenant schema, so a stock
token minted on tenant A would authenticate user #1 of tenant B. Every token here carries the
id of the `Client` that issued it, and every decode (access or refresh, HTTP or WebSocket) goes
through `verify_tenant_claim` against the tenant of the request's Host.
"""

from __future__ import annotations

from django_tenants.models import TenantMixin
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import User

TENANT_CLAIM = "tid"


def mint_tokens(user: User, tenant: TenantMixin) -> RefreshToken:
    """A refresh token (and through `.access_token`, an access token) for `user` of `tenant`."""
    refresh = RefreshToken.for_user(user)
    refresh[TENANT_CLAIM] = tenant.pk
    return refresh


def verify_tenant_claim(token: Token, tenant: TenantMixin | None) -> None:
    """Raise InvalidToken unless `token` was issued by `tenant`. The one check every decode uses."""
    if tenant is None or token.get(TENANT_CLAIM) != tenant.pk:
        raise InvalidToken({"detail": "Token is not valid for this workspace.", "code": "token_not_valid"})
