"""What a tenant's plan allows, as every app asks it. Billing answers (billing.entitlements
registers itself at start-up), so apps below it (accounts, tenants) and beside it (chat,
documents) ask here without importing billing, and imports keep running down the floors.

Usage keys, as in CONTRACT.md's billing object: `seats`, `storage_bytes`, `pages_this_period`,
`messages_this_period`, `custom_domains`; limit-only keys: `upload_bytes`,
`api_requests_per_minute`.

Without billing installed (never in this product, but in a stripped-down test) everything is
allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from rest_framework import status

from config.api.errors import Refused

if TYPE_CHECKING:
    from tenants.models import Client


class PlanLimitReached(Refused):
    """A write that would take the tenant past its plan: 402 `plan_limit` naming the limit."""

    def __init__(self, detail: str, *, limit: str) -> None:
        super().__init__(status.HTTP_402_PAYMENT_REQUIRED, detail, "plan_limit", limit=limit)
        self.limit = limit


class ReadOnlyWorkspace(Refused):
    """A write in a workspace whose subscription ended or went unpaid: 402 `read_only`."""

    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_402_PAYMENT_REQUIRED, detail, "read_only")


class Gate(Protocol):
    def check_writable(self, tenant: Client) -> None: ...

    def limit_of(self, tenant: Client, key: str) -> int | None: ...

    def check_room(self, tenant: Client, key: str, *, used: int, adding: int = 1) -> None: ...

    def reserve(self, tenant: Client, key: str, amount: int = 1) -> None: ...

    def release(self, tenant: Client, key: str, amount: int = 1) -> None: ...

    def record_message(self, tenant: Client, count: int = 1) -> None: ...


class _Open:
    def check_writable(self, tenant: Client) -> None:
        return None

    def limit_of(self, tenant: Client, key: str) -> int | None:
        return None

    def check_room(self, tenant: Client, key: str, *, used: int, adding: int = 1) -> None:
        return None

    def reserve(self, tenant: Client, key: str, amount: int = 1) -> None:
        return None

    def release(self, tenant: Client, key: str, amount: int = 1) -> None:
        return None

    def record_message(self, tenant: Client, count: int = 1) -> None:
        return None


_gate: Gate = _Open()


def register(gate: Gate) -> None:
    global _gate
    _gate = gate


def check_writable(tenant: Client) -> None:
    """Raise ReadOnlyWorkspace unless the tenant may write (send, upload, invite...)."""
    _gate.check_writable(tenant)


def limit_of(tenant: Client, key: str) -> int | None:
    """The tenant's limit for `key`; None: unlimited."""
    return _gate.limit_of(tenant, key)


def check_room(tenant: Client, key: str, *, used: int, adding: int = 1) -> None:
    """Raise PlanLimitReached unless `used + adding` stays within the limit (for what is counted
    live, such as custom domains, or pending invitations beside the seats taken). The caller
    holds the lock that makes `used` true until its commit."""
    _gate.check_room(tenant, key, used=used, adding=adding)


def reserve(tenant: Client, key: str, amount: int = 1) -> None:
    """Count `amount` more of `key` in the caller's transaction, or raise PlanLimitReached and
    count nothing. Race-free: the check and the increment are one statement."""
    _gate.reserve(tenant, key, amount)


def release(tenant: Client, key: str, amount: int = 1) -> None:
    """Count `amount` less (a document deleted, a person deactivated)."""
    _gate.release(tenant, key, amount)


def record_message(tenant: Client, count: int = 1) -> None:
    """`count` messages are being sent: refuse them in a read-only workspace, else count them."""
    _gate.record_message(tenant, count)


def payload(exc: Refused) -> dict[str, Any]:
    """The socket's `error` frame fields for a refusal (code, detail and `limit`)."""
    return {"code": exc.get_codes(), "detail": str(exc.detail), **exc.extra}
