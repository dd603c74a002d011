"""A benchmark's own tenant, its users in the tenant's `general` room, and their access tokens.

PubSub channels belong to the whole Redis server, not to one of its databases, and group names
carry the tenant id: each benchmark's tenant gets an id no development or test database uses,
which keeps its events out of other processes on the same Redis, and theirs out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ROOM_NAME = "general"


@dataclass(frozen=True)
class Target:
    """Where the sockets go: the tenant's host, its id and the room."""

    host: str
    tenant_id: int
    room: int


def bench_tenant(slug: str, *, name: str, owner_email: str, owner_name: str = "", id_floor: int) -> Any:
    """The benchmark's own tenant, provisioned on first use with an id of at least `id_floor`."""
    from django.db import connection

    from tenants.actions import do_provision_workspace
    from tenants.db import use_public_schema
    from tenants.models import Client

    use_public_schema()
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        print(f"==> Creating the tenant {slug} ...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tenants_client', 'id'),"
                " GREATEST((SELECT MAX(id) FROM tenants_client), %s))",
                [id_floor],
            )
        client = do_provision_workspace(
            slug=slug, name=name, owner_email=owner_email, owner_password=None, owner_name=owner_name
        ).client
    return client


def user_email(role: str, index: int, slug: str) -> str:
    return f"{role}{index:03d}@{slug}.bench.test"


def ensure_room_users(client: Any, emails: list[str]) -> int:
    """The users with `emails` in the tenant `client`, created where missing (a new user joins
    its `general` room); returns that room's id."""
    from accounts.actions.users import do_create_user
    from accounts.models import User
    from chat.models import Room
    from tenants.db import in_tenant

    with in_tenant(client):
        present = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [email for email in emails if email not in present]
        if missing:
            print(f"==> Creating {len(missing)} users ...", flush=True)
        for email in missing:
            do_create_user(email=email, password=None, name=email.split("@")[0])  # joins `general`
        room = Room.objects.get(name=ROOM_NAME)
    return int(room.pk)


def room_target(client: Any, slug: str, roles: Sequence[tuple[str, int]]) -> Target:
    """The Target of the tenant's `general` room, with the users of `roles` ((role, count) each,
    see user_email) as its members."""
    from django.conf import settings

    wanted = [user_email(role, i, slug) for role, count in roles for i in range(count)]
    room = ensure_room_users(client, wanted)
    return Target(host=f"{slug}.{settings.PLATFORM_DOMAIN}", tenant_id=client.pk, room=room)


def mint_access_tokens(slug: str, roles: Sequence[tuple[str, int]]) -> list[list[str]]:
    """Fresh access tokens (they live five minutes) for the users `user_email(role, 0 ..
    count - 1, slug)` of the tenant `slug`, a list per (role, count)."""
    from accounts.models import User
    from accounts.tokens import mint_tokens
    from tenants.db import in_public, in_tenant
    from tenants.models import Client

    with in_public():
        client = Client.objects.get(slug=slug)
    with in_tenant(client):
        users = {user.email: user for user in User.objects.filter(email__endswith=f"@{slug}.bench.test")}
        return [
            [str(mint_tokens(users[user_email(role, i, slug)], client).access_token) for i in range(count)]
            for role, count in roles
        ]


def forget_old_servers(tenant_id: int) -> int:
    """Drop the tenant's channel-layer groups (core layer) before a measurement: the server of the
    previous one was stopped without leaving its groups, and channels-redis would keep sending
    every event to its dead channel until the group expires. Each measurement starts as a fresh
    deployment would. Returns how many dead channels were dropped."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"asgi:group:t{tenant_id}.*", count=1000))
        dropped = sum(int(client.zcard(key)) for key in keys)
        if keys:
            client.delete(*keys)
        return dropped
    finally:
        client.close()
