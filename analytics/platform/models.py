"""Analytics in the public schema: what staff read across every client."""

from __future__ import annotations

from django.db import models


class FillState(models.Model):
    """How far one stat of one client is filled (Zulip's FillState, kept per client).

    `end_time` is the end of the last period whose counts are complete. A fill marks the state
    STARTED (committed) before it writes, and DONE with the new end in the same transaction as
    its rows, so a worker killed in between leaves STARTED behind: the next run deletes whatever
    lies past `end_time` for that stat and counts it again, and nothing is counted twice.
    Kept in public so freshness over every client is one query (`analytics.freshness`)."""

    class State(models.TextChoices):
        STARTED = "started", "Started"
        DONE = "done", "Done"

    client = models.ForeignKey("tenants.Client", on_delete=models.CASCADE, related_name="+")
    property = models.CharField(max_length=40)
    end_time = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "property"], name="analytics_fillstate_uniq")]
        indexes = [models.Index(fields=["property", "end_time"], name="analytics_fillstate_prop_end")]

    def __str__(self) -> str:
        return f"{self.property} of {self.client_id}: {self.state} to {self.end_time:%Y-%m-%d %H:%M}"


class ClientCount(models.Model):
    """A client's workspace totals (its `TenantCount` rows), copied in the same transaction
    that fills them: the cross-tenant table staff views read."""

    client = models.ForeignKey("tenants.Client", on_delete=models.CASCADE, related_name="+")
    property = models.CharField(max_length=40)
    subgroup = models.CharField(max_length=16, blank=True, default="")
    end_time = models.DateTimeField()
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "property", "subgroup", "end_time"], name="analytics_clientcount_uniq"
            )
        ]
        indexes = [models.Index(fields=["property", "end_time"], name="analytics_clientcount_prop_end")]

    def __str__(self) -> str:
        return f"{self.property} of {self.client_id} to {self.end_time:%Y-%m-%d %H:%M}: {self.value}"


class ClientActivity(models.Model):
    """One row per client, rewritten after each fill that wrote something: the figures the staff
    overview sorts and filters 1,000 clients by, without summing their rows per request."""

    client = models.OneToOneField("tenants.Client", on_delete=models.CASCADE, primary_key=True, related_name="activity")
    # Messages sent (people and bots) since the start of this UTC month, from hourly rows.
    messages_this_month = models.BigIntegerField(default=0)
    # The last 7 whole days, and the 28 before them (for "going quiet").
    messages_last_7_days = models.BigIntegerField(default=0)
    messages_previous_28_days = models.BigIntegerField(default=0)
    active_users_last_7_days = models.IntegerField(default=0)
    storage_bytes = models.BigIntegerField(default=0)
    # The newest message, read or upload the fill saw.
    last_activity_at = models.DateTimeField(null=True, blank=True)
    filled_through = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "client activity"

    def __str__(self) -> str:
        return f"activity of {self.client_id}"

    @property
    def is_going_quiet(self) -> bool:
        """Activity down by half: the last week under half the weekly average of the four weeks
        before it (and there was some)."""
        weekly_before = self.messages_previous_28_days / 4
        return weekly_before > 0 and self.messages_last_7_days < weekly_before / 2
