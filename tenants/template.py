"""The template schema that every tenant schema is cloned from.

Running the migrations of a new schema costs over a minute with dj-stripe installed, because
every migration of every app re-renders the model state even where the router skips its SQL.
So one schema, `TENANT_BASE_SCHEMA`, is kept migrated, and provisioning copies it.

Migrating a tenant-side schema (the template or a tenant) goes in two steps: the tenant apps'
migrations for real, then the shared-only apps' migrations recorded as applied (their tables
live in public only, so there is nothing to run), which skips dj-stripe's costly state renders.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from tenants.db import use_public_schema


def template_schema() -> str:
    return str(settings.TENANT_BASE_SCHEMA)


def tenant_app_labels() -> list[str]:
    labels = []
    for name in settings.TENANT_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == name)
        labels.append(config.label)
    return labels


@functools.cache
def known_migrations() -> frozenset[tuple[str, str]]:
    """Every migration on disk (squashed ones in place of what they replace)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def recorded_migrations(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema_name}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return set()
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')  # noqa: S608  # nosec B608
        return set(cursor.fetchall())


def pending_migrations(schema_name: str) -> list[str]:
    """Migrations not yet recorded in `schema_name`. The common answer, nothing, costs one small
    query per schema; otherwise Django's executor works out the plan (no state is rendered)."""
    if known_migrations() <= recorded_migrations(schema_name):
        return []
    with schema_context(schema_name):
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def migrate_tenant_schema(schema_name: str, *, verbosity: int = 0) -> None:
    """Bring one tenant-side schema up to date, in the two steps the module docstring explains."""
    if not pending_migrations(schema_name):
        return
    for label in tenant_app_labels():
        call_command(
            "migrate_schemas", label, tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity
        )
    call_command(
        "migrate_schemas", tenant=True, schema_name=schema_name, fake=True, interactive=False, verbosity=verbosity
    )
    use_public_schema()


def ensure_template(*, verbosity: int = 0) -> bool:
    """Create the template schema if absent and migrate it. Returns True if anything changed."""
    name = template_schema()
    use_public_schema()
    created = False
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
        created = True
    changed = bool(pending_migrations(name))
    migrate_tenant_schema(name, verbosity=verbosity)
    return created or changed
