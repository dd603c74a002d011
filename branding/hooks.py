"""What branding asks of the apps above it, as hooks they register (imports run one way: billing
imports branding, never the reverse)."""

from __future__ import annotations

from collections.abc import Callable

from tenants.models import Client

PoweredByRule = Callable[[Client], bool]


def _never(client: Client) -> bool:
    return False


_may_hide_powered_by: PoweredByRule = _never


def register_powered_by_rule(rule: PoweredByRule) -> None:
    """Billing registers whether a tenant's plan lets it hide the "Powered by" line."""
    global _may_hide_powered_by
    _may_hide_powered_by = rule


def may_hide_powered_by(client: Client) -> bool:
    return _may_hide_powered_by(client)
