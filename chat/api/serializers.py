from rest_framework import serializers

from chat.models import Room


class RoomSerializer(serializers.ModelSerializer[Room]):
    class Meta:
        model = Room
        fields = ["id", "name", "slug", "kind", "topic", "created_at"]
        read_only_fields = fields
