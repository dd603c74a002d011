"""Plans, what each tenant is entitled to, its usage, and what Stripe told us. All in the public
schema; Stripe's own objects (customers, products, prices, the webhook endpoint) live in
dj-stripe's tables beside them.

Every limit check reads `Entitlement` (through billing.entitlements) and `Usage`, never Stripe:
the webhook worker (billing.events) is the only writer of a paid subscription's state.
"""

from __future__ import annotations

from django.db import models


class Plan(models.Model):
    """What a tenant pays for and what it may use. `code` is stable; names may change.

    Limits: None means unlimited. Staff edit plans in the admin; `manage.py billing_push_plans`
    creates or updates the Stripe product and its two prices, and dj-stripe syncs them back.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    tagline = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the pricing page.")
    # Shown on /pricing/ and offered on the billing page; Enterprise is sold by talking to people.
    is_public = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, help_text="Plan given to new workspaces.")
    # Prices per seat, in the smallest unit of `currency`.
    monthly_price_cents = models.PositiveIntegerField(default=0)
    yearly_price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    trial_days = models.PositiveSmallIntegerField(default=0)
    # Entitlements.
    max_users = models.PositiveIntegerField(null=True, blank=True, verbose_name="seats")
    max_storage_mb = models.PositiveIntegerField(null=True, blank=True, verbose_name="storage (MB)")
    max_upload_mb = models.PositiveIntegerField(default=25, verbose_name="largest upload (MB)")
    max_pages_per_month = models.PositiveIntegerField(null=True, blank=True, verbose_name="document pages a month")
    max_custom_domains = models.PositiveIntegerField(null=True, blank=True, verbose_name="custom domains")
    # White-label: the tenant may hide the platform's "Powered by" line.
    can_hide_powered_by = models.BooleanField(default=False)
    api_requests_per_minute = models.PositiveIntegerField(null=True, blank=True, verbose_name="API requests a minute")
    # Metered plans report messages to this Stripe Meter hourly (billing.meters); blank: not metered.
    meter_event_name = models.CharField(max_length=100, blank=True)
    # Set by billing_push_plans.
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_monthly_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_price_yearly_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["position", "monthly_price_cents", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.monthly_price_cents == 0 and self.yearly_price_cents == 0


class Entitlement(models.Model):
    """The one row per tenant that every check reads: its plan, the subscription's status and
    period. Written by billing.actions only (webhook events, checkout, staff comps).

    `state_at` is the `created` time of the Stripe event that set the subscription state: an
    event older than it is stored but changes nothing, so a late or replayed event never rolls
    a subscription back.
    """

    class Status(models.TextChoices):
        FREE = "free", "Free"
        TRIALING = "trialing", "Trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"
        UNPAID = "unpaid", "Unpaid"
        INCOMPLETE = "incomplete", "Incomplete"

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    client = models.OneToOneField("tenants.Client", on_delete=models.CASCADE, related_name="entitlement")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="entitlements")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FREE, db_index=True)
    interval = models.CharField(max_length=8, choices=Interval.choices, blank=True)
    # Seats paid for: the subscription's quantity.
    quantity = models.PositiveIntegerField(default=1)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # When the subscription went past due; writes stay open until BILLING_GRACE_DAYS after it.
    past_due_since = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    state_at = models.DateTimeField(null=True, blank=True)
    # Staff gave this plan without a subscription (until `comped_until`, or for good when empty).
    is_comped = models.BooleanField(default=False)
    comped_until = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why staff changed it (kept for the record).")
    # Seat quantity last sent to Stripe, so changes are pushed once (billing.seats).
    synced_quantity = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.client} on {self.plan} ({self.status})"


class Usage(models.Model):
    """What a tenant uses, kept by the actions that create the usage, in their transaction.

    Its row is also the lock for quotas: billing.entitlements.reserve raises the counter only
    while it stays within the limit, in one UPDATE, so two uploads at once cannot both pass.
    `pages_this_period` and `messages_this_period` start again at `period_start`.
    """

    client = models.OneToOneField("tenants.Client", on_delete=models.CASCADE, related_name="usage")
    seats = models.PositiveIntegerField(default=0)
    storage_bytes = models.BigIntegerField(default=0)
    pages_this_period = models.PositiveIntegerField(default=0)
    messages_this_period = models.PositiveBigIntegerField(default=0)
    # Every message ever: metered reporting sends the difference since its last report.
    messages_total = models.PositiveBigIntegerField(default=0)
    period_start = models.DateTimeField()

    def __str__(self) -> str:
        return f"usage of {self.client_id}"


class StripeEvent(models.Model):
    """A webhook event as Stripe signed it. The view stores it and nothing else; a Celery task
    applies it once (`status` moves from pending to processed, ignored or failed)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100, db_index=True)
    # Stripe's `created` (whole seconds): the order events are applied in.
    created = models.DateTimeField()
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client = models.ForeignKey(
        "tenants.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Invoice(models.Model):
    """A Stripe invoice as its newest event showed it (amounts, status, the hosted and PDF
    links), so the billing page lists invoices without calling Stripe."""

    stripe_id = models.CharField(max_length=255, unique=True)
    client = models.ForeignKey("tenants.Client", on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    total_cents = models.BigIntegerField(default=0)
    amount_due_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    created_at = models.DateTimeField()
    period_end = models.DateTimeField(null=True, blank=True)
    hosted_url = models.URLField(max_length=2048, blank=True)
    pdf_url = models.URLField(max_length=2048, blank=True)
    state_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at", "-id"], name="billing_invoice_keyset")]

    def __str__(self) -> str:
        return self.number or self.stripe_id


class MeterReport(models.Model):
    """One hourly report of a metered tenant's messages to Stripe. `identifier` is sent as the
    meter event's idempotency identifier, so a report retried after a lost answer counts once."""

    client = models.ForeignKey("tenants.Client", on_delete=models.CASCADE, related_name="meter_reports")
    hour = models.DateTimeField()
    identifier = models.CharField(max_length=100, unique=True)
    # Usage.messages_total when the hour was reported; the next report sends the difference.
    messages_total = models.PositiveBigIntegerField()
    value = models.PositiveBigIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "hour"], name="billing_meter_one_per_hour")]

    def __str__(self) -> str:
        return self.identifier
