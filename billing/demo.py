"""Billing's demo data (tenants.demo): the usage counters, last, since the demo people and the
handbook were written around the actions that keep them."""

from __future__ import annotations

from collections.abc import Sequence

from billing.actions import do_recount_usage
from tenants.demo import DemoTenant


def recount_usage(tenants: Sequence[DemoTenant]) -> None:
    for tenant in tenants:
        do_recount_usage(client=tenant.client)
