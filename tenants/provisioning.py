"""Create a tenant schema by copying the template schema.

django-tenants' `clone_schema` SQL function copies tables, sequences, constraints, indexes and
the rows already in the template (migration records, content types, permissions), so a cloned
schema needs no migration run. The copy runs inside the caller's transaction: PostgreSQL DDL is
transactional, so a failure later in provisioning leaves no schema behind.
"""

from __future__ import annotations

from django.db import connection
from django_tenants.clone import CLONE_SCHEMA_FUNCTION
from django_tenants.utils import schema_exists

from tenants.template import template_schema


def install_clone_function() -> None:
    """(Re)install django-tenants' `clone_schema` function; run by `migrate_all` at release.

    The script drops and recreates its helper types, so it must not run while another process
    is cloning: provisioning only installs it when it is missing.
    """
    db_user = connection.settings_dict.get("USER") or "postgres"
    with connection.cursor() as cursor:
        cursor.execute(CLONE_SCHEMA_FUNCTION.format(db_user=db_user))


def clone_function_installed() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND p.proname = 'clone_schema')"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def clone_template_into(schema_name: str) -> None:
    """Copy the template schema to `schema_name`. Precondition: in public, inside a transaction."""
    if not schema_exists(template_schema()):
        raise RuntimeError(
            f"the template schema {template_schema()!r} does not exist; run `manage.py migrate_all` first"
        )
    # clone_schema only logs a notice for an existing target and copies nothing.
    if schema_exists(schema_name):
        raise RuntimeError(f"schema {schema_name!r} already exists")
    if not clone_function_installed():
        install_clone_function()
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.clone_schema(%s, %s, %s)", [template_schema(), schema_name, "DATA"])
