"""Billing through Stripe (dj-stripe) and its stand-in for test mode."""

from __future__ import annotations

from config.settings.env import REDIS_URL, env

# ------------------------------------------------------------------------------
# Stripe (dj-stripe): a tenant (Client) is the paying customer.
# ------------------------------------------------------------------------------
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_TEST_SECRET_KEY = env("STRIPE_TEST_SECRET_KEY", default="")
STRIPE_LIVE_SECRET_KEY = env("STRIPE_LIVE_SECRET_KEY", default="")
DJSTRIPE_WEBHOOK_SECRET = env("DJSTRIPE_WEBHOOK_SECRET", default="")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_SUBSCRIBER_MODEL = "tenants.Client"
# Pinned: every call and the webhook endpoint use this version, so payloads keep their shape
# (from this version on, a subscription's period lives on its items).
STRIPE_API_VERSION = env("STRIPE_API_VERSION", default="2026-05-27.dahlia")
# Without a secret key Stripe is never reached: stripe-python's HTTP client is replaced by the
# product's own stand-in (billing.fake_stripe), and pages say they are in test mode.
BILLING_TEST_MODE: bool = env.bool("BILLING_TEST_MODE", default=not (STRIPE_TEST_SECRET_KEY or STRIPE_LIVE_SECRET_KEY))
# Plans' limits are enforced (off only to measure their cost, bench/billing.py).
BILLING_ENFORCE_LIMITS: bool = env.bool("BILLING_ENFORCE_LIMITS", default=True)
# Each workspace's API requests per minute are limited by its plan (config.api.throttles).
BILLING_API_THROTTLE: bool = env.bool("BILLING_API_THROTTLE", default=True)
# A past-due workspace stays writable this long after its first failed payment.
BILLING_GRACE_DAYS: int = env.int("BILLING_GRACE_DAYS", default=7)
# Seat changes reach the subscription's quantity at most this often (billing.seats).
BILLING_SEAT_SYNC_SECONDS: int = env.int("BILLING_SEAT_SYNC_SECONDS", default=300)
# How Stripe charges a seat change mid-period: `create_prorations`, `always_invoice` or `none`.
BILLING_PRORATION_BEHAVIOR: str = env("BILLING_PRORATION_BEHAVIOR", default="create_prorations")
# Failed webhook events are processed again nightly, at most this many times in all.
BILLING_EVENT_MAX_ATTEMPTS: int = env.int("BILLING_EVENT_MAX_ATTEMPTS", default=8)
# Where /pricing/ sends people who ask about the Enterprise plan ("Talk to us").
BILLING_SALES_EMAIL: str = env("BILLING_SALES_EMAIL", default="sales@example.com")
# The stand-in takes any key, but dj-stripe links its rows to the account of a key shaped like
# Stripe's, so test mode gets one that can never reach Stripe (the transport is replaced).
if BILLING_TEST_MODE:
    STRIPE_LIVE_MODE = False
    STRIPE_TEST_SECRET_KEY = STRIPE_TEST_SECRET_KEY or "sk_test_" + "0" * 24 + "standin"
# Where the stand-in keeps its objects (Redis keys start with "fakestripe:").
BILLING_FAKE_STRIPE_REDIS_URL: str = env("BILLING_FAKE_STRIPE_REDIS_URL", default=REDIS_URL)
