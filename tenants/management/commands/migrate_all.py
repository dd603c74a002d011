"""Bring every schema up to date: public, the template, then each tenant.

Used by `make run`, the Procfile's release step and the tests. Schemas with nothing pending are
skipped without rendering any model state, so a second run takes seconds.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.actions import do_ensure_platform_tenant
from tenants.models import Client
from tenants.template import ensure_template, migrate_tenant_schema, pending_migrations


class Command(BaseCommand):
    help = "Migrate the public schema, the tenant template schema and every tenant schema."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if pending_migrations("public"):
            self.stdout.write("Migrating the public schema (the first run takes a minute or two) ...")
            # verbosity 1 lists each migration as it is applied: progress for the slow first run
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        do_ensure_platform_tenant()
        if ensure_template(verbosity=max(verbosity - 1, 0)):
            self.stdout.write("Template schema migrated.")
        schemas = list(Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
        for index, schema_name in enumerate(schemas, start=1):
            if pending_migrations(schema_name):
                self.stdout.write(f"Migrating tenant {schema_name} ({index}/{len(schemas)}) ...")
                migrate_tenant_schema(schema_name, verbosity=max(verbosity - 1, 0))
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"All schemas are current ({len(schemas)} tenants)."))
