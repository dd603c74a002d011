"""Rollups of a tenant's activity, in its own schema (the manner of Zulip's analytics app).

A row holds one stat's value for one period: `property` names the stat and its period
("messages_sent:hour", "active_users:day"), `end_time` is the instant the period ends (an hour
of UTC, or the tenant's local midnight for daily stats), `subgroup` splits a stat where it has
parts ("people" and "bots" for messages). Rows exist only for non-zero values, so a quiet
workspace costs nothing to store. They are written only by `analytics.fill`, and dashboards read
these rows, never the raw tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BaseCount(models.Model):
    property = models.CharField(max_length=40)
    subgroup = models.CharField(max_length=16, blank=True, default="")
    end_time = models.DateTimeField()
    value = models.BigIntegerField()

    class Meta:
        abstract = True


class TenantCount(BaseCount):
    """The whole workspace's value (the rollup that `analytics.platform` copies to public)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["property", "subgroup", "end_time"], name="analytics_tenantcount_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.property}[{self.subgroup}] {self.end_time:%Y-%m-%d %H:%M}: {self.value}"


class UserCount(BaseCount):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "property", "subgroup", "end_time"], name="analytics_usercount_uniq"
            )
        ]
        indexes = [models.Index(fields=["property", "end_time"], name="analytics_usercount_prop_end")]

    def __str__(self) -> str:
        return f"{self.property} of {self.user_id} to {self.end_time:%Y-%m-%d %H:%M}: {self.value}"


class RoomCount(BaseCount):
    room = models.ForeignKey("chat.Room", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "property", "subgroup", "end_time"], name="analytics_roomcount_uniq"
            )
        ]
        indexes = [models.Index(fields=["property", "end_time"], name="analytics_roomcount_prop_end")]

    def __str__(self) -> str:
        return f"{self.property} of room {self.room_id} to {self.end_time:%Y-%m-%d %H:%M}: {self.value}"
