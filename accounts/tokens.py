"""API tokens bound to their tenant (ARCHITECTURE rule 5), and their revocation.

simplejwt's tokens carry only `user_id`, and user ids repeat in every tenant schema, so a stock
token minted on tenant A would authenticate user #1 of tenant B. Every token here carries the
id of the `Client` that issued it (`tid`) and the user's auth epoch (`ep`), and every decode
(access or refresh, HTTP or WebSocket) goes through `verify_tenant_claim` against the tenant of
the request's Host. `authenticate_access_token` is the whole check for an access token; the
WebSocket authentication calls it as the HTTP authentication does.

Revocation: refresh tokens are blacklisted in the tenant's schema (simplejwt's blacklist app is
a tenant app). Access tokens live five minutes; logout puts the access token's id on a denylist
in Redis until it expires, and bumping the user's epoch (deactivation, password reset) ends
every token at once.

Precondition for everything here: the connection is in `tenant`'s schema.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import jwt
from django_tenants.models import TenantMixin
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import aware_utcnow, datetime_from_epoch

from accounts.models import User
from accounts.selectors import person_by_id
from config.cache import cache

TENANT_CLAIM = "tid"
EPOCH_CLAIM = "ep"
# The jti of the first refresh token of a sign-in; rotation hands it down to every successor.
FAMILY_CLAIM = "fam"
DENYLIST_KEY = "accounts:access-denied:{jti}"


def invalid(detail: str, code: str = "token_not_valid") -> InvalidToken:
    return InvalidToken({"detail": detail, "code": code})


def token_pair(refresh: RefreshToken) -> dict[str, str]:
    """The `{access, refresh}` body every endpoint that signs someone in answers with."""
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def mint_tokens(user: User, tenant: TenantMixin, *, family: str | None = None) -> RefreshToken:
    """A refresh token (and through `.access_token`, an access token) for `user` of `tenant`.

    Built by hand rather than with `RefreshToken.for_user`, which records the outstanding token
    before any claim of ours is added; the stored copy here carries the tenant and family.
    """
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[TENANT_CLAIM] = tenant.pk
    refresh[EPOCH_CLAIM] = user.auth_epoch
    refresh[FAMILY_CLAIM] = family or refresh[api_settings.JTI_CLAIM]
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[api_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return refresh


def verify_tenant_claim(token: Token, tenant: TenantMixin | None) -> None:
    """Raise InvalidToken unless `token` was issued by `tenant`. The one check every decode uses."""
    if tenant is None or token.get(TENANT_CLAIM) != tenant.pk:
        raise invalid("Token is not valid for this workspace.")


def user_for_token(token: Token) -> User:
    """The token's active user, provided nothing has revoked the token since it was issued."""
    return check_holder(token, person_by_id(token.get(api_settings.USER_ID_CLAIM)))


def check_holder(token: Token, user: User | None, *, denied: bool = False) -> User:
    """`user` (the token's, as loaded) when the token still speaks for them; `denied`: its jti is
    on the denylist (`is_denied`)."""
    if denied:
        raise invalid("Token has been revoked.", "token_revoked")
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", code="no_active_account")
    if token.get(EPOCH_CLAIM) != user.auth_epoch:
        raise invalid("Token has been revoked.", "token_revoked")
    return user


def decode_access_token(raw: str | bytes, tenant: TenantMixin | None) -> AccessToken:
    """Signature, expiry and tenant claim: what needs no lookup."""
    try:
        token = _verified(raw)
        token.check_exp(current_time=aware_utcnow())  # one verified earlier may have expired since
    except TokenError as exc:
        raise invalid(str(exc)) from exc
    verify_tenant_claim(token, tenant)
    return token


@functools.lru_cache(maxsize=4096)
def _verified(raw: str | bytes) -> AccessToken:
    """A token whose signature was checked, kept: a client reconnecting (and every client after a
    deploy) presents the same token again, and its signature cannot have changed. Only tokens
    that verified are kept; callers only read them."""
    return AccessToken(raw)  # type: ignore[arg-type]  # simplejwt accepts str or bytes


def denylist_key(token: Token) -> str:
    return DENYLIST_KEY.format(jti=token[api_settings.JTI_CLAIM])


def authenticate_access_token(raw: str | bytes, tenant: TenantMixin | None) -> tuple[User, AccessToken]:
    """Decode and check an access token presented on `tenant`'s host; raise InvalidToken or
    AuthenticationFailed. Used by the API (the WebSocket handshake does the same steps for many
    sockets at once: accounts.ws_auth)."""
    token = decode_access_token(raw, tenant)
    if cache.get(denylist_key(token)):
        raise invalid("Token has been revoked.", "token_revoked")
    return user_for_token(token), token


def _refresh_token_of(raw: str, tenant: TenantMixin, *, check_expiry: bool) -> RefreshToken:
    """A refresh token signed by us for `tenant`. The blacklist is left to the caller (simplejwt's
    own verify() would check it first and hide a reuse behind a generic error)."""
    try:
        refresh = RefreshToken(raw, verify=False)  # type: ignore[arg-type]  # str or bytes
        refresh.verify_token_type()
        if check_expiry:
            refresh.check_exp()
    except TokenError as exc:
        raise invalid(str(exc)) from exc
    # The token decoded, so it was signed by us; the tenant check comes before anything else.
    verify_tenant_claim(refresh, tenant)
    return refresh


def rotate_refresh_token(raw: str, tenant: TenantMixin) -> RefreshToken:
    """Spend a refresh token for a new pair. A spent token coming back means two parties may
    hold it, so its whole family (the sign-in it descends from) is revoked and whoever holds
    the newest one must sign in again; the user's other sign-ins are untouched."""
    refresh = _refresh_token_of(raw, tenant, check_expiry=True)
    jti = refresh[api_settings.JTI_CLAIM]
    if BlacklistedToken.objects.filter(token__jti=jti).exists():
        user = User.objects.filter(pk=refresh.get(api_settings.USER_ID_CLAIM)).first()
        revoke_refresh_tokens(user, family=refresh.get(FAMILY_CLAIM))
        raise invalid("Token was already used; sign in again.", "token_reused")
    user = user_for_token(refresh)
    refresh.blacklist()
    return mint_tokens(user, tenant, family=refresh.get(FAMILY_CLAIM))


def revoke_refresh_token(raw: str, tenant: TenantMixin, user: User | None = None) -> None:
    """Logout: the refresh token (of `user`, when one is signed in) can no longer be used.
    An expired one is accepted: blacklisting it is harmless and logout should not fail."""
    refresh = _refresh_token_of(raw, tenant, check_expiry=False)
    if user is not None and str(refresh.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise invalid("Token belongs to someone else.")
    refresh.blacklist()


def revoke_access_token(token: Token) -> None:
    """Deny this access token's id until it would have expired anyway."""
    remaining = int(token["exp"] - datetime.now(tz=UTC).timestamp())
    if remaining > 0:
        cache.set(denylist_key(token), True, timeout=remaining + 5)


def revoke_refresh_tokens(user: User | None, *, family: str | None = None) -> int:
    """Blacklist `user`'s outstanding, unexpired refresh tokens (only those of one sign-in
    family, when given); returns how many."""
    if user is None:
        return 0
    outstanding = list(
        OutstandingToken.objects.filter(user=user, expires_at__gt=datetime.now(tz=UTC), blacklistedtoken__isnull=True)
    )
    if family is not None:
        # Stored tokens were signed by us; only their family claim is read here.
        outstanding = [
            token
            for token in outstanding
            if jwt.decode(token.token, options={"verify_signature": False}).get(FAMILY_CLAIM) == family
        ]
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(revoked)
