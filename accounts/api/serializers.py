"""Shapes of the account endpoints. Input serializers check types, lengths and known choices;
the actions decide everything about state and permissions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Invitation, User
from accounts.selectors import MAX_CURSOR_LENGTH, MAX_QUERY_LENGTH, Cursor


class UserSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "date_joined"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer[User]):
    """A person as managers see them: deactivated people are listed too."""

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_active", "date_joined"]
        read_only_fields = fields


class PeopleQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH, default="")
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=MAX_CURSOR_LENGTH, default="")

    def validate_cursor(self, value: str) -> Cursor | None:
        if not value:
            return None
        try:
            return Cursor.decode(value)
        except ValueError as exc:
            raise serializers.ValidationError("Not a cursor from this API; use `next` of a previous page.") from exc


class PeoplePageSerializer(serializers.Serializer[Any]):
    results = PersonSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; null on the last page.")


class PersonUpdateSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send `role`, `is_active` or both.", code="empty")
        return attrs


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    """Never the link's secret: only its hash is stored, and even that stays inside."""

    invited_by = UserSerializer(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="`pending` or `expired` for listed invitations.")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "status", "created_at", "sent_at", "send_count", "expires_at"]
        read_only_fields = fields


class InvitationListSerializer(serializers.Serializer[Any]):
    results = InvitationSerializer(many=True)


class InviteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.MEMBER)


class AcceptInvitationSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
