from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.forms import WorkspaceForm, provision_from
from tenants.urls_helpers import tenant_url


class Command(BaseCommand):
    help = "Create a workspace (tenant) with its owner, as self-serve sign-up does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--password", help="The owner's password; asked for when omitted.")
        parser.add_argument("--plan", help="Plan code; the default plan when omitted.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("Owner's password: ")
        form = WorkspaceForm(
            data={
                "slug": options["slug"],
                "name": options["name"],
                "owner_email": options["owner_email"],
                "owner_name": options["owner_name"] or options["owner_email"].split("@")[0],
                "password": password,
            }
        )
        if not form.is_valid():
            lines = [f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()]
            raise CommandError("\n".join(lines))
        try:
            # An unknown plan code is refused by billing's provisioning step, and nothing is created.
            workspace = provision_from(form.cleaned_data, plan_code=options["plan"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {workspace.client.name}: {tenant_url(workspace.client)}"))
