"""Token endpoints (CONTRACT.md): sign in, refresh (rotating), logout, password reset request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from accounts import lockout
from accounts.actions import do_request_password_reset
from accounts.models import User
from accounts.tokens import mint_tokens, revoke_access_token, revoke_refresh_token, rotate_refresh_token
from config.ratelimit import client_address

TokenPair = inline_serializer("TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})


class ObtainSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class EmailSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class LoginRefused(APIException):
    """429 with the lockout's own message (DRF's Throttled would append its own sentence)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "login_locked"


class TokenEndpoint(APIView):
    """No authentication of its own, but failures answer 401 with a Bearer challenge."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ObtainTokenView(TokenEndpoint):
    @extend_schema(
        request=ObtainSerializer,
        responses={200: TokenPair, 401: OpenApiResponse(description="Wrong e-mail or password"), 429: None},
        summary="Sign in: a token pair for this workspace",
        description="Repeated failures for an account or from an address are slowed, then locked "
        "(429 with Retry-After and code `login_throttled` or `login_locked`).",
    )
    def post(self, request: Request) -> Response:
        serializer = ObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        tenant, address = request.tenant, client_address(request.META)
        refusal = lockout.check(tenant, email=email, address=address)
        if refusal is not None:
            exc = LoginRefused(refusal.message, code=refusal.code)
            exc.retry_after = refusal.retry_after  # type: ignore[attr-defined]
            raise exc
        user = authenticate(request._request, username=email, password=serializer.validated_data["password"])
        if not isinstance(user, User):
            lockout.record_failure(tenant, email=email, address=address)
            # Same answer for an unknown e-mail and a wrong password.
            raise AuthenticationFailed("Incorrect e-mail or password.", code="invalid_credentials")
        lockout.record_success(tenant, email=email)
        refresh = mint_tokens(user, tenant)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class RefreshTokenView(TokenEndpoint):
    @extend_schema(
        request=RefreshSerializer,
        responses=TokenPair,
        summary="Exchange a refresh token for a new pair",
        description="Each refresh token works once. Presenting a spent one revokes every refresh "
        "token of its user (code `token_reused`): someone else may hold a copy.",
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = rotate_refresh_token(serializer.validated_data["refresh"], request.tenant)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class LogoutView(APIView):
    """Revoke the refresh token in the body and the access token that authenticated the call."""

    @extend_schema(request=RefreshSerializer, responses={204: None}, summary="Sign out: revoke this token pair")
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revoke_refresh_token(serializer.validated_data["refresh"], request.tenant, user=request.user)  # type: ignore[arg-type]
        if isinstance(request.auth, AccessToken):
            revoke_access_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(TokenEndpoint):
    @extend_schema(
        request=EmailSerializer,
        responses={202: None},
        summary="Send a password-reset link by e-mail",
        description="Always 202, whether or not the address has an account.",
    )
    def post(self, request: Request) -> Response:
        serializer = EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        do_request_password_reset(tenant=request.tenant, email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)
