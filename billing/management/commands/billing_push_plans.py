"""`manage.py billing_push_plans`: every plan's Stripe product and prices, created or updated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from billing import stripe_api
from billing.models import Plan
from tenants.db import in_public


class Command(BaseCommand):
    help = "Create or update each plan's Stripe product and its monthly and yearly per-seat prices."

    def handle(self, *args: Any, **options: Any) -> None:
        with in_public():
            for plan in Plan.objects.order_by("position", "pk"):
                stripe_api.push_plan(plan=plan)
                prices = ", ".join(
                    price for price in (plan.stripe_price_monthly_id, plan.stripe_price_yearly_id) if price
                )
                self.stdout.write(f"{plan.code}: {plan.stripe_product_id} ({prices or 'no prices: free'})")
