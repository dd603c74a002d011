from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name

from analytics.actions import do_recount_all
from analytics.fill import fill_tenant
from tenants.models import Client


class Command(BaseCommand):
    help = (
        "Fill every analytics stat of every workspace (or those named) up to the last whole period, "
        "as beat does; --recount forgets their figures first and counts again from the first message."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Workspaces to fill (all when none is named).")
        parser.add_argument("--recount", action="store_true", help="Count everything again from the first data.")

    def handle(self, *args: Any, **options: Any) -> None:
        clients = Client.objects.exclude(schema_name=get_public_schema_name()).order_by("slug")
        if options["slugs"]:
            clients = clients.filter(slug__in=options["slugs"])
            missing = set(options["slugs"]) - set(clients.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No workspace with the address {', '.join(sorted(missing))}.")
        for client in clients:
            if options["recount"]:
                do_recount_all(client)
            report = fill_tenant(client)
            if report.skipped_locked:
                self.stdout.write(f"{client.slug}: being filled by another process, left to it")
            else:
                self.stdout.write(
                    f"{client.slug}: {report.stats_filled} stats counted, {report.stats_moved_on} moved on"
                )
