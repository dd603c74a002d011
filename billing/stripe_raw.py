"""dj-stripe's app, as staff see it in the admin: grouped under "Stripe (raw data)", with only
the objects staff look at (billing's own admin is the everyday view)."""

from __future__ import annotations

from django.contrib import admin
from djstripe.apps import DjstripeAppConfig

KEPT = frozenset({"webhookendpoint", "customer", "product", "price", "subscription", "invoice", "event"})


class StripeRawDataConfig(DjstripeAppConfig):
    verbose_name = "Stripe (raw data)"

    def ready(self) -> None:
        super().ready()
        # The admin has imported every admin module by now (django.contrib.admin is ready first).
        for model in self.get_models():
            if model._meta.model_name not in KEPT and admin.site.is_registered(model):
                admin.site.unregister(model)
