"""Two owners demoting each other at the same moment cannot leave a workspace without an owner."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django_tenants.utils import schema_context

from accounts.actions import do_create_user, do_deactivate_user
from accounts.actions.users import do_change_role
from accounts.models import User
from config.api.errors import AccessDenied
from tenants.models import Client
from tests.support.tenants import PASSWORD, provision_once

Change = Callable[[User, User], object]


def race(schema: str, first: Change, second: Change, pairs: list[tuple[int, int]]) -> list[str]:
    """Run both changes on their own connections, released at the same instant."""
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(change: Change, actor_id: int, target_id: int) -> None:
        try:
            with schema_context(schema):
                actor, target = User.objects.get(pk=actor_id), User.objects.get(pk=target_id)
                barrier.wait(timeout=10)
                try:
                    change(actor, target)
                    results.append("changed")
                except AccessDenied as exc:
                    results.append(f"refused:{exc.code}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(change, *pair)) for change, pair in zip((first, second), pairs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def two_owners(django_db_blocker: Any) -> tuple[str, int, int]:
    """A workspace of its own whose only owners are two people, both active (reset each run)."""
    with django_db_blocker.unblock():
        info = provision_once("racers", "Racers")
        with schema_context(info.schema):
            first = User.objects.get(email=info.owner_email)
            second = User.objects.filter(email="second@racers.test").first() or do_create_user(
                email="second@racers.test", password=PASSWORD
            )
            User.objects.filter(pk__in=[first.pk, second.pk]).update(role=User.Role.OWNER, is_active=True)
            User.objects.exclude(pk__in=[first.pk, second.pk]).update(role=User.Role.MEMBER)
        return info.schema, first.pk, second.pk


def owners_left(schema: str, django_db_blocker: Any) -> int:
    with django_db_blocker.unblock(), schema_context(schema):
        return User.objects.filter(role=User.Role.OWNER, is_active=True).count()


def test_simultaneous_mutual_demotion_leaves_one_owner(django_db_blocker: Any) -> None:
    schema, first, second = two_owners(django_db_blocker)

    def demote(actor: User, target: User) -> None:
        do_change_role(actor=actor, user=target, role=User.Role.MEMBER)

    with django_db_blocker.unblock():
        results = race(schema, demote, demote, [(first, second), (second, first)])

    assert results[0] == "changed"
    assert results[1].startswith("refused:")
    assert owners_left(schema, django_db_blocker) == 1


def test_simultaneous_mutual_deactivation_leaves_one_owner(django_db_blocker: Any) -> None:
    schema, first, second = two_owners(django_db_blocker)

    with django_db_blocker.unblock():
        client = Client.objects.get(schema_name=schema)

    def deactivate(actor: User, target: User) -> None:
        do_deactivate_user(tenant=client, actor=actor, user=target)

    with django_db_blocker.unblock():
        results = race(schema, deactivate, deactivate, [(first, second), (second, first)])

    assert results[0] == "changed"
    assert results[1].startswith("refused:")
    assert owners_left(schema, django_db_blocker) == 1
