from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics

from chat.api.serializers import RoomSerializer
from chat.models import Room
from chat.selectors import rooms_visible_to


class RoomListView(generics.ListAPIView[Room]):
    serializer_class = RoomSerializer

    def get_queryset(self) -> QuerySet[Room]:
        return rooms_visible_to(self.request.user)  # type: ignore[arg-type]


class RoomDetailView(generics.RetrieveAPIView[Room]):
    serializer_class = RoomSerializer

    def get_queryset(self) -> QuerySet[Room]:
        return rooms_visible_to(self.request.user)  # type: ignore[arg-type]
