from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import UserSerializer


class MeView(APIView):
    @extend_schema(responses=UserSerializer, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)  # type: ignore[arg-type]  # IsAuthenticated
