"""`manage.py billing_setup [--base-url URL]`: what Stripe needs before anyone can pay: every
plan pushed (billing_push_plans) and the webhook endpoint registered for this deployment's
platform host. Idempotent, so `make run` calls it on every start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from billing import stripe_api
from tenants.db import in_public
from tenants.urls_helpers import platform_url


class Command(BaseCommand):
    help = "Push every plan to Stripe and make sure the webhook endpoint exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Scheme, host and port Stripe posts events to (default: the platform host, "
            "from SITE_SCHEME, PLATFORM_DOMAIN and SITE_PORT).",
        )

    def handle(self, *args: Any, base_url: str = "", **options: Any) -> None:
        call_command("billing_push_plans", stdout=self.stdout)
        with in_public():
            endpoint = stripe_api.ensure_webhook_endpoint(base_url=(base_url or platform_url("")).rstrip("/"))
        mode = "test mode (the stand-in)" if settings.BILLING_TEST_MODE else "Stripe"
        self.stdout.write(f"webhook endpoint: {endpoint.url} on {mode}")
