"""Query parameters of `/api/analytics/` (checked here: an unknown metric, kind or interval, or a
bad range, is a 400 whose `code` says which and whose message names what is allowed) and the
shapes of the answers (for the OpenAPI schema; the payloads are built by analytics.queries)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from analytics.leaders import TOP_LIMIT_MAX
from analytics.queries import INTERVALS, KINDS, METRICS, InvalidQuery, parse_range
from analytics.ranges import PRESETS


class Choice(serializers.ChoiceField):
    """A choice whose refusal is an `InvalidQuery` with its own code, listing the choices."""

    def __init__(self, choices: tuple[str, ...], *, code: str, what: str, **kwargs: Any) -> None:
        required = f"Send the {what}: one of {', '.join(choices)}."
        super().__init__(choices=choices, error_messages={"required": required}, **kwargs)
        self.code, self.what, self.allowed = code, what, choices

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or data not in self.allowed:
            shown = str(data)[:40]
            raise InvalidQuery(f"Unknown {self.what} {shown!r}; use one of: {', '.join(self.allowed)}.", self.code)
        return data


class RangeQuerySerializer(serializers.Serializer[Any]):
    """`from`/`to` or `range`; validated into `days` (an analytics.ranges.Range). Needs the
    workspace's local date as `today` in the context."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `from` is a Python keyword, so the fields are added by name.
        fields = super().get_fields()
        fields["from"] = serializers.CharField(
            required=False, allow_blank=True, help_text="First day, YYYY-MM-DD, in the workspace's time zone."
        )
        fields["to"] = serializers.CharField(
            required=False, allow_blank=True, help_text="Last day, YYYY-MM-DD (included); at most today."
        )
        fields["range"] = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text=f"Instead of from/to: {', '.join(str(days) for days in PRESETS)} (the last whole days). "
            "Neither: the last 30 whole days.",
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["days"] = parse_range(attrs, today=self.context["today"])
        return attrs


class IntervalQuerySerializer(RangeQuerySerializer):
    interval = Choice(INTERVALS, code="invalid_interval", what="interval", required=False, default="day")


class SeriesQuerySerializer(IntervalQuerySerializer):
    metric = Choice(METRICS, code="unknown_metric", what="metric")


class TopQuerySerializer(RangeQuerySerializer):
    kind = Choice(KINDS, code="unknown_kind", what="kind")
    limit = serializers.IntegerField(min_value=1, max_value=TOP_LIMIT_MAX, default=10)


class PointSerializer(serializers.Serializer[Any]):
    t = serializers.DateField(help_text="First day of the period (weeks start on Monday, months on the 1st).")
    value = serializers.IntegerField(allow_null=True, help_text="null: no value (a median of a day without responses).")
    people = serializers.IntegerField(required=False, help_text="messages_sent only: sent by people.")
    bots = serializers.IntegerField(required=False, help_text="messages_sent only: sent by bots.")


class SeriesSerializer(serializers.Serializer[Any]):
    metric = serializers.ChoiceField(choices=METRICS)
    interval = serializers.ChoiceField(choices=INTERVALS)
    filled_through = serializers.DateField(
        allow_null=True, help_text="The last day counted; later days have no points yet (null: nothing counted)."
    )
    points = PointSerializer(many=True)
    previous = PointSerializer(many=True, help_text="The same number of days just before `from`.")
    total = serializers.IntegerField(
        allow_null=True,
        help_text="Over the whole range: a sum, distinct people or channels, the value on the last day "
        "(weekly/monthly active people, storage) or the weighted median.",
    )
    previous_total = serializers.IntegerField(allow_null=True)
    unit = serializers.ChoiceField(choices=("count", "bytes", "seconds"))

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `from` is a keyword, and `label` and `help` are attributes of every DRF field.
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        fields["label"] = serializers.CharField()
        fields["help"] = serializers.CharField(help_text="The metric's definition, one sentence.")
        return fields


class OverviewSerializer(serializers.Serializer[Any]):
    interval = serializers.ChoiceField(choices=INTERVALS)
    filled_through = serializers.DateField(allow_null=True)
    metrics = serializers.DictField(child=SeriesSerializer(), help_text="Every metric, by name.")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class TopSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KINDS)
    filled_through = serializers.DateField(allow_null=True)
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="Channels (id, name, messages, first_response_seconds_median) "
        "or people (id, name, email, messages, messages_read, documents_uploaded), busiest first.",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields
