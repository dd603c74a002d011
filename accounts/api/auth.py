"""Token endpoints (CONTRACT.md): sign in, refresh (rotating), logout, password reset request."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from accounts.actions import do_request_password_reset
from accounts.signin import InvalidCredentials, SignInRefused, sign_in
from accounts.tokens import mint_tokens, revoke_access_token, revoke_refresh_token, rotate_refresh_token, token_pair

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
        tenant = request.tenant
        try:
            user = sign_in(
                request._request,
                tenant,
                email=serializer.validated_data["email"],
                password=serializer.validated_data["password"],
            )
        except SignInRefused as exc:
            refused = LoginRefused(exc.refusal.message, code=exc.refusal.code)
            refused.retry_after = exc.refusal.retry_after  # type: ignore[attr-defined]
            raise refused from exc
        except InvalidCredentials as exc:
            # Same answer for an unknown e-mail and a wrong password.
            raise AuthenticationFailed("Incorrect e-mail or password.", code="invalid_credentials") from exc
        return Response(token_pair(mint_tokens(user, tenant)))


class RefreshTokenView(TokenEndpoint):
    @extend_schema(
        request=RefreshSerializer,
        responses=TokenPair,
        summary="Exchange a refresh token for a new pair",
        description="Each refresh token works once. Presenting a spent one revokes every refresh "
        "token of the sign-in it descends from (code `token_reused`): someone else may hold a copy. "
        "The person's other sign-ins are not affected.",
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(token_pair(rotate_refresh_token(serializer.validated_data["refresh"], request.tenant)))


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
