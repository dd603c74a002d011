"""People with bearer tokens, and rooms and messages made through the actions, for tests of the
HTTP API; all inside the test's transaction (rolled back afterwards)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django_tenants.utils import schema_context

from accounts.models import User
from chat.actions import do_add_members, do_create_room, do_send_message
from chat.models import Membership, Message, Room
from tests.support.people import make_user
from tests.support.people_api import Api
from tests.support.tenants import TenantInfo


def unique(prefix: str = "room") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Person:
    user: User
    api: Api
    tenant: TenantInfo

    @property
    def id(self) -> int:
        return int(self.user.pk)

    def get(self, path: str, data: Any = None) -> Any:
        return self.api.call("get", path, data)

    def post(self, path: str, data: Any = None) -> Any:
        return self.api.call("post", path, data)

    def patch(self, path: str, data: Any = None) -> Any:
        return self.api.call("patch", path, data)

    def delete(self, path: str, data: Any = None) -> Any:
        return self.api.call("delete", path, data)


def person(tenant: TenantInfo, name: str = "", role: str = User.Role.MEMBER, *, email: str | None = None) -> Person:
    """A new person of `tenant` with an API client holding their bearer token."""
    user = make_user(tenant, role, name=name or unique("Person"), email=email)
    return Person(user=user, api=Api(tenant, user.email), tenant=tenant)


def make_room(
    tenant: TenantInfo,
    owner: Person,
    *,
    kind: str = Room.Kind.PUBLIC,
    members: tuple[Person, ...] = (),
    name: str | None = None,
) -> Room:
    with schema_context(tenant.schema):
        room = do_create_room(tenant=tenant.client, name=name or unique(), creator=owner.user, kind=kind, members=[])
        if members:
            do_add_members(tenant=tenant.client, room=room, users=[m.user for m in members])
        return room


def post_messages(tenant: TenantInfo, author: Person, room: Room, bodies: list[str]) -> list[Message]:
    with schema_context(tenant.schema):
        return [
            do_send_message(tenant=tenant.client, author=author.user, room=room, body=body).message for body in bodies
        ]


def membership(tenant: TenantInfo, room: Room, who: Person) -> Membership | None:
    with schema_context(tenant.schema):
        return Membership.objects.filter(room=room, user=who.user).first()
