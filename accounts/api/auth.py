"""Token endpoints: `POST /api/auth/token/` and `POST /api/auth/token/refresh/` (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tokens import mint_tokens, verify_tenant_claim

TokenPair = inline_serializer("TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})


class ObtainSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class TokenEndpoint(APIView):
    """No authentication of its own, but failures answer 401 with a Bearer challenge."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ObtainTokenView(TokenEndpoint):
    @extend_schema(request=ObtainSerializer, responses=TokenPair, summary="Sign in: a token pair for this workspace")
    def post(self, request: Request) -> Response:
        serializer = ObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if not isinstance(user, User):
            # Same answer for an unknown e-mail and a wrong password.
            raise AuthenticationFailed("Incorrect e-mail or password.", code="invalid_credentials")
        refresh = mint_tokens(user, request.tenant)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class RefreshTokenView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses=TokenPair, summary="Exchange a refresh token for a new pair")
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(serializer.validated_data["refresh"])
        except TokenError as exc:
            raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from exc
        verify_tenant_claim(refresh, request.tenant)
        user = User.objects.filter(pk=refresh.get(api_settings.USER_ID_CLAIM)).first()
        if user is None or not user.is_active:
            raise AuthenticationFailed("No active account found for the given token.", code="no_active_account")
        # Rotation: the answer carries a new refresh token (revocation lists come with accounts).
        new_refresh = mint_tokens(user, request.tenant)
        return Response({"access": str(new_refresh.access_token), "refresh": str(new_refresh)})
