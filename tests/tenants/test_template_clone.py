"""A provisioned schema is the template schema, object for object and name for name."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from tenants.actions import do_provision_workspace
from tenants.template import template_schema

pytestmark = pytest.mark.django_db

COLUMNS = """
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
           a.attgenerated, pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
"""
CONSTRAINTS = """
    SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = %s::regnamespace
"""
INDEXES = """
    SELECT c.relname, replace(pg_get_indexdef(c.oid), quote_ident(%s) || '.', '')
    FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'i'
"""


def catalog(schema: str) -> dict[str, set[tuple[object, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {connection.ops.quote_name(schema)}")
        cursor.execute(COLUMNS, [schema])
        columns = set(cursor.fetchall())
        cursor.execute(CONSTRAINTS, [schema])
        constraints = set(cursor.fetchall())
        cursor.execute(INDEXES, [schema, schema])
        indexes = set(cursor.fetchall())
        cursor.execute("SET search_path TO public")
    return {"columns": columns, "constraints": constraints, "indexes": indexes}


@pytest.fixture
def fresh_clone() -> str:
    """A tenant provisioned in this test (the session's tenants may have been migrated since)."""
    return do_provision_workspace(
        slug="cloned", name="Cloned", owner_email="owner@cloned.test", owner_password=None
    ).client.schema_name


def test_cloned_schema_matches_the_template(fresh_clone: str) -> None:
    template, clone = catalog(template_schema()), catalog(fresh_clone)

    for kind in ("columns", "constraints", "indexes"):
        assert clone[kind] == template[kind], kind
    assert len(template["indexes"]) > 10 and len(template["constraints"]) > 10


def test_cloned_schema_copies_reference_rows_and_continues_their_sequences(fresh_clone: str) -> None:
    with connection.cursor() as cursor:
        for table in ("django_migrations", "django_content_type", "auth_permission"):
            cursor.execute(f'SELECT count(*) FROM "{template_schema()}".{table}')  # noqa: S608
            in_template = cursor.fetchone()[0]
            cursor.execute(f'SELECT count(*) FROM "{fresh_clone}".{table}')  # noqa: S608
            assert cursor.fetchone()[0] == in_template > 0, table

    # A new row gets the next id after the copied ones, not a duplicate key.
    with schema_context(fresh_clone):
        from django.contrib.contenttypes.models import ContentType

        highest = ContentType.objects.order_by("-pk").values_list("pk", flat=True)[0]
        created = ContentType.objects.create(app_label="tests", model="probe")
        assert created.pk > highest
        assert do_create_user(email="next@cloned.test", password=None).pk > 0
