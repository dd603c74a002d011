"""The billing benchmark's tenant, plan, users and servers (Django in this process).

The tenant `bench-billing` is kept between runs, on the Business plan (unlimited seats), active;
its id starts at 975,001 (see bench/lib/tenant.py). Tokens are minted here and checked by the
server: both sign with SECRET_KEY.
"""

from __future__ import annotations

from typing import Any

from bench.lib.processes import pin_server
from bench.lib.report import RESULTS_DIR
from bench.lib.tenant import Target, bench_tenant, mint_access_tokens, room_target
from bench.lib.webserver import LOOPBACK_HTTP, UNLIMITED_SENDS, WebServer, production_env

DB_SUFFIX = "_bench_billing"
SLUG = "bench-billing"
TENANT_ID_FLOOR = 975_000
SECRET_KEY = "bench-billing-not-secret-but-long-enough-for-hmac-sha256"
PLAN_CODE = "business"  # unlimited seats: the benchmark's users never meet a seat limit
RESULTS_FILE = RESULTS_DIR / "billing.json"


def ensure_plan(tenant_id: int) -> None:
    """The tenant on a paid plan with unlimited seats, active: what a busy workspace has. Set
    again before every measurement, in case a webhook of an earlier run was applied."""
    from django.db import transaction

    from billing.entitlements import forget
    from billing.models import Entitlement, Plan, Usage
    from tenants.db import use_public_schema

    use_public_schema()
    plan = Plan.objects.get(code=PLAN_CODE)
    with transaction.atomic():
        Entitlement.objects.update_or_create(
            client_id=tenant_id,
            defaults={"plan": plan, "status": Entitlement.Status.ACTIVE, "is_comped": True, "past_due_since": None},
        )
        Usage.objects.get_or_create(client_id=tenant_id, defaults={"period_start": now_utc()})
        forget(tenant_id)


def now_utc() -> Any:
    from django.utils import timezone

    return timezone.now()


def ensure_target(senders: int, listeners: int) -> Target:
    """The tenant, its sender and listener users, all members of its `general` room."""
    client = bench_tenant(SLUG, name="Bench Billing", owner_email=f"owner@{SLUG}.bench.test", id_floor=TENANT_ID_FLOOR)
    ensure_plan(client.pk)
    return room_target(client, SLUG, [("s", senders), ("l", listeners)])


def mint(senders: int, listeners: int) -> tuple[list[str], list[str]]:
    """Fresh access tokens (they live five minutes) for the senders and the listeners."""
    sender_tokens, listener_tokens = mint_access_tokens(SLUG, [("s", senders), ("l", listeners)])
    return sender_tokens, listener_tokens


def messages_counted(tenant_id: int) -> int:
    """The tenant's `messages_total` in billing_usage (what config.limits.record_message counts)."""
    from billing.models import Usage
    from tenants.db import use_public_schema

    use_public_schema()
    return int(Usage.objects.filter(client_id=tenant_id).values_list("messages_total", flat=True).first() or 0)


def start_server(name: str, extra_env: dict[str, str]) -> WebServer:
    """The Procfile's `web` command with the production settings and `extra_env`, pinned to CPU 0."""
    note = f" ({' '.join(f'{k}={v}' for k, v in extra_env.items())})"
    return WebServer(
        RESULTS_DIR / f"billing-{name}.log", production_env(SECRET_KEY, extra_env), note=note, preexec_fn=pin_server
    )


def chat_env(enforce: bool) -> dict[str, str]:
    return {"BILLING_ENFORCE_LIMITS": "true" if enforce else "false", **LOOPBACK_HTTP, **UNLIMITED_SENDS}
