"""The signed-in user's own record: read it, and change the profile fields they own."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.serializers import UserSerializer
from accounts.models import User, validate_time_zone


class MeSerializer(UserSerializer):
    """What the people list shows of anyone, plus the settings only the person sees."""

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "time_zone"]
        read_only_fields = fields


class MeUpdateSerializer(serializers.Serializer[Any]):
    """A partial update: fields left out keep their value. E-mail and role are not the user's
    to change here; unknown fields are ignored."""

    name = serializers.CharField(max_length=User._meta.get_field("name").max_length, allow_blank=True, required=False)
    # The model's validator, not a ChoiceField: the schema would otherwise list ~600 zones.
    time_zone = serializers.CharField(
        max_length=64, required=False, validators=[validate_time_zone], help_text="An IANA zone, e.g. Europe/Paris."
    )
