"""Provisioning: every entry point creates a whole workspace or nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from branding.models import Brand
from chat.models import Room
from tenants.actions import do_provision_workspace
from tenants.models import Client, Domain
from tenants.validators import RESERVED_SLUGS

pytestmark = pytest.mark.django_db


def provision(slug: str, **overrides: object) -> Client:
    fields: dict[str, object] = {
        "slug": slug,
        "name": slug.title(),
        "owner_email": f"Owner@{slug}.test",
        "owner_password": "a-long-pass-phrase",
        "owner_name": "Olive Owner",
        **overrides,
    }
    return do_provision_workspace(**fields).client  # type: ignore[arg-type]


def test_provision_creates_schema_domain_owner_brand_and_general_room(django_db_setup: None) -> None:
    # given / when
    client = provision("initech")

    # then
    assert client.schema_name == "t_initech"
    assert schema_exists("t_initech")
    assert Domain.objects.get(tenant=client, is_primary=True).domain == f"initech.{settings.PLATFORM_DOMAIN}"
    with schema_context(client.schema_name):
        owner = User.objects.get()
        assert owner.email == "owner@initech.test"
        assert owner.role == User.Role.OWNER
        assert owner.check_password("a-long-pass-phrase")
        assert Brand.objects.get().display_name == "Initech"
        assert list(Room.objects.values_list("name", flat=True)) == ["general"]


def test_provision_clones_migration_records_so_the_schema_needs_no_migration(django_db_setup: None) -> None:
    from tenants.template import pending_migrations

    client = provision("hooli")

    assert pending_migrations(client.schema_name) == []


@pytest.mark.parametrize("slug", [*sorted(RESERVED_SLUGS)[:8], "www", "admin", "api"])
def test_provision_refuses_reserved_slugs(slug: str) -> None:
    with pytest.raises(ValidationError) as info:
        provision(slug)

    assert "reserved" in " ".join(info.value.message_dict["slug"])
    assert not Client.objects.filter(slug=slug).exists()


@pytest.mark.parametrize("slug", ["A", "ab", "-abc", "abc-", "a_b_c", "ab--cd", "1abc", "x" * 41, "ab c", "ünï"])
def test_provision_refuses_malformed_slugs(slug: str) -> None:
    with pytest.raises(ValidationError):
        provision(slug)

    assert not Client.objects.filter(slug=slug).exists()


def test_provision_refuses_a_taken_slug(tenant_a: object) -> None:
    with pytest.raises(ValidationError) as info:
        provision("acme")

    assert "taken" in " ".join(info.value.message_dict["slug"])


def test_provision_failing_midway_leaves_no_half_created_tenant() -> None:
    # given: a stray schema with the name the new tenant's schema would get
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "t_umbrella"')

    # when: the clone step fails after the Client and Domain rows were written
    with pytest.raises(Exception, match="already exists"):
        provision("umbrella")

    # then: neither row survives
    assert not Client.objects.filter(slug="umbrella").exists()
    assert not Domain.objects.filter(domain__startswith="umbrella.").exists()


def test_create_workspace_command_provisions(capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "create_workspace",
        "vandelay",
        "--name",
        "Vandelay Industries",
        "--owner-email",
        "art@vandelay.test",
        "--password",
        "import-export-99",
    )

    client = Client.objects.get(slug="vandelay")
    assert "vandelay.localhost" in capsys.readouterr().out
    with schema_context(client.schema_name):
        assert User.objects.get().email == "art@vandelay.test"


def test_create_workspace_command_reports_bad_input_and_creates_nothing() -> None:
    with pytest.raises(CommandError, match="slug"):
        call_command("create_workspace", "www", "--name", "W", "--owner-email", "a@b.test", "--password", "x" * 12)
    with pytest.raises(CommandError, match="password"):
        call_command("create_workspace", "okname", "--name", "Ok", "--owner-email", "a@b.test", "--password", "123")

    assert not Client.objects.filter(slug__in=["www", "okname"]).exists()


def test_create_workspace_command_refuses_an_unknown_plan_and_creates_nothing() -> None:
    # when: billing's provisioning step finds no such plan, after the schema was cloned
    with pytest.raises(CommandError, match="Unknown plan 'platinum'"):
        call_command(
            "create_workspace", "planless", "--name", "P", "--owner-email", "p@planless.test",
            "--password", "a-long-pass-phrase", "--plan", "platinum",
        )  # fmt: skip

    # then: the whole workspace was rolled back, its schema too
    assert not Client.objects.filter(slug="planless").exists()
    assert not schema_exists("t_planless")


def test_create_workspace_command_starts_on_the_plan_given() -> None:
    call_command(
        "create_workspace", "planful", "--name", "P", "--owner-email", "p@planful.test",
        "--password", "a-long-pass-phrase", "--plan", "team",
    )  # fmt: skip

    assert Client.objects.get(slug="planful").entitlement.plan.code == "team"


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.test", "spaces in@example.test"])
def test_provision_refuses_a_malformed_owner_email(email: str) -> None:
    with pytest.raises(ValidationError) as info:
        provision("emailcheck", owner_email=email)

    assert "owner_email" in info.value.message_dict
    assert not Client.objects.filter(slug="emailcheck").exists()
