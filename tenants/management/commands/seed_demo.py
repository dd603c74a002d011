"""Development data of CONTRACT.md, created only where absent (local settings only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.actions import do_provision_workspace
from tenants.db import in_public
from tenants.demo import PASSWORD, STAFF_EMAIL, WORKSPACES, DemoTenant, DemoWorkspace, demo_steps
from tenants.models import Client
from tenants.urls_helpers import platform_url, tenant_url


def demo_tenant(spec: DemoWorkspace) -> DemoTenant:
    """The demo workspace, provisioned (with its owner) if absent."""
    client = Client.objects.filter(slug=spec.slug).first()
    if client is None:
        email, name = spec.owner
        client = do_provision_workspace(
            slug=spec.slug, name=spec.name, owner_email=email, owner_name=name, owner_password=PASSWORD
        ).client
    return DemoTenant(client=client, spec=spec)


class Command(BaseCommand):
    help = "Seed the demo tenants, users and staff account (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with local settings (DEBUG on).")
        tenants = [demo_tenant(spec) for spec in WORKSPACES]
        for step in demo_steps:
            with in_public():
                step.run(tenants)
        self.print_summary(tenants)

    def print_summary(self, tenants: list[DemoTenant]) -> None:
        lines = [
            "",
            "Demo data is ready. Password for every account: " + PASSWORD,
            f"  Platform:  {platform_url('/')}   (admin: {platform_url('/admin/')}  {STAFF_EMAIL})",
        ]
        for tenant in tenants:
            spec = tenant.spec
            lines.append(f"  {spec.name:<9}  {tenant_url(tenant.client, '/login/')}   ({', '.join(spec.emails)})")
        self.stdout.write("\n".join(lines) + "\n")
