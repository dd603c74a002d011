from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.actions import do_update_profile
from accounts.api.me import MeSerializer, MeUpdateSerializer
from accounts.models import User


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]  # IsAuthenticated

    @extend_schema(
        request=MeUpdateSerializer,
        responses=MeSerializer,
        summary="Change the signed-in user's name or time zone",
        description="Only the fields sent change. The picture is changed on the profile page.",
    )
    def patch(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        do_update_profile(
            user=user, name=changes.get("name", user.name), time_zone=changes.get("time_zone", user.time_zone)
        )
        return Response(MeSerializer(user).data)
