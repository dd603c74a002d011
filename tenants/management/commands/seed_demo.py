"""Development data of CONTRACT.md, created only where absent (local settings only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from accounts.actions import do_create_staff_user, do_create_user
from accounts.models import User
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tenants.urls_helpers import platform_url, tenant_url

PASSWORD = "demo-pass-1234"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoWorkspace:
    slug: str
    name: str
    owner: tuple[str, str]
    members: tuple[tuple[str, str], ...] = ()


WORKSPACES = [
    DemoWorkspace("acme", "Acme", ("alice@acme.test", "Alice Anders"), (("bob@acme.test", "Bob Brown"),)),
    DemoWorkspace("globex", "Globex", ("carol@globex.test", "Carol Chen")),
]
STAFF_EMAIL = "admin@localhost"


class Command(BaseCommand):
    help = "Seed the demo tenants, users and staff account (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with local settings (DEBUG on).")
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            do_create_staff_user(email=STAFF_EMAIL, password=PASSWORD, name="Platform Admin")
        for spec in WORKSPACES:
            client = Client.objects.filter(slug=spec.slug).first()
            if client is None:
                email, name = spec.owner
                client = do_provision_workspace(
                    slug=spec.slug, name=spec.name, owner_email=email, owner_name=name, owner_password=PASSWORD
                ).client
            with schema_context(client.schema_name):
                for email, name in spec.members:
                    if not User.objects.filter(email=email).exists():
                        do_create_user(email=email, password=PASSWORD, name=name, role=User.Role.MEMBER)
        self.print_summary()

    def print_summary(self) -> None:
        lines = [
            "",
            "Demo data is ready. Password for every account: " + PASSWORD,
            f"  Platform:  {platform_url('/')}   (admin: {platform_url('/admin/')}  {STAFF_EMAIL})",
        ]
        for spec in WORKSPACES:
            client = Client.objects.get(slug=spec.slug)
            people = [spec.owner[0], *(email for email, _ in spec.members)]
            lines.append(f"  {spec.name:<9}  {tenant_url(client, '/login/')}   ({', '.join(people)})")
        self.stdout.write("\n".join(lines) + "\n")
