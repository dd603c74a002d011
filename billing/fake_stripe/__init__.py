"""Stripe's HTTP API, answered here when no Stripe key is configured (BILLING_TEST_MODE).

stripe-python's transport is replaced, so dj-stripe and billing.stripe_api run unchanged and
nothing reaches Stripe; the objects live in Redis (billing.fake_stripe.state) so every process
sees one account. Checkout and the billing portal are pages on the platform host
(billing.fake_stripe.views) whose buttons change subscriptions as Stripe would and send the
signed webhook events Stripe would send (billing.fake_stripe.events).
"""


def install() -> None:
    """Route stripe-python's requests to the stand-in."""
    import stripe

    from billing.fake_stripe import events  # noqa: F401  # registers the delivery task
    from billing.fake_stripe.client import StandInHTTPClient

    stripe.default_http_client = StandInHTTPClient()
