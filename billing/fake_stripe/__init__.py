"""Stripe's HTTP API, answered here when no Stripe key is configured."""


def install() -> None:
    """Route stripe-python's requests to the stand-in."""
