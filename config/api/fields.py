"""Fields and shapes that every app's API shares."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

# A database id: positive and within PostgreSQL's bigint, so no lookup can overflow (a 500).
MAX_ID = 2**63 - 1


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField would take `5` or `true` for "5" or "True"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class PersonRefSerializer(serializers.Serializer[Any]):
    """accounts.payloads.author_payload."""

    id = serializers.IntegerField()
    name = serializers.CharField()
