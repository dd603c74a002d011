"""The demo workspaces of CONTRACT.md ("Development data") and the steps that fill them.

`manage.py seed_demo` provisions the workspaces that are absent, then runs every app's demo
step (registered from its `AppConfig.ready()`) in order: staff (10) and people (20, accounts),
rooms and messages (30, chat), the handbook (40, documents), Acme's brand (50, branding), usage
counters (90, billing).
Each step is called in the public schema, enters a workspace's schema itself
(`tenants.db.in_tenant`), and creates only what is absent, so seeding twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tenants.models import Client
from tenants.steps import Steps

PASSWORD = "demo-pass-1234"  # noqa: S105  # nosec B105
STAFF_EMAIL = "admin@localhost"


@dataclass(frozen=True)
class DemoWorkspace:
    slug: str
    name: str
    owner: tuple[str, str]  # (e-mail, name)
    members: tuple[tuple[str, str], ...] = ()

    @property
    def emails(self) -> list[str]:
        return [self.owner[0], *(email for email, _ in self.members)]


WORKSPACES = [
    DemoWorkspace("acme", "Acme", ("alice@acme.test", "Alice Anders"), (("bob@acme.test", "Bob Brown"),)),
    DemoWorkspace("globex", "Globex", ("carol@globex.test", "Carol Chen")),
]


@dataclass(frozen=True)
class DemoTenant:
    """A demo workspace, provisioned."""

    client: Client
    spec: DemoWorkspace


DemoStep = Callable[[Sequence[DemoTenant]], None]

demo_steps: Steps[DemoStep] = Steps()


def find(tenants: Sequence[DemoTenant], slug: str) -> DemoTenant | None:
    """The demo workspace `slug`, for the steps that seed one workspace only."""
    return next((tenant for tenant in tenants if tenant.spec.slug == slug), None)
