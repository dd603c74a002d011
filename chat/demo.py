"""Chat's demo data (tenants.demo): rooms with a few messages in each workspace, and a direct
message between Acme's two people. Rooms are created where absent and get their messages only
while they have none."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from chat.actions import do_create_room, do_join_room, do_open_direct, do_send_message
from chat.models import Room
from tenants.db import in_tenant
from tenants.demo import DemoTenant
from tenants.models import Client

# (room, kind, topic, [(author e-mail, text)])
Conversation = tuple[str, str, str, list[tuple[str, str]]]

CONVERSATIONS: dict[str, list[Conversation]] = {
    "acme": [
        (
            "general",
            Room.Kind.PUBLIC,
            "",
            [
                ("alice@acme.test", "Welcome to **Acme** chat! This is `general`, where everyone is."),
                ("bob@acme.test", "Hi all 👋 glad to be here."),
                ("alice@acme.test", "@bob the launch checklist is at https://example.com/launch, have a look."),
                ("bob@acme.test", "Will do. Markdown works too:\n- *italic*\n- **bold**\n- `code`"),
            ],
        ),
        (
            "random",
            Room.Kind.PUBLIC,
            "Anything that is not work",
            [("bob@acme.test", "Anyone up for lunch on Friday?"), ("alice@acme.test", "Count me in 🍕")],
        ),
        (
            "leadership",
            Room.Kind.PRIVATE,
            "Private: owners only",
            [("alice@acme.test", "Only members of this private room can read this.")],
        ),
    ],
    "globex": [
        (
            "general",
            Room.Kind.PUBLIC,
            "",
            [
                ("carol@globex.test", "Welcome to **Globex**. Nothing here is visible to Acme."),
                ("carol@globex.test", "Try the search box, threads and reactions."),
            ],
        ),
    ],
}


def seed_conversations(tenants: Sequence[DemoTenant]) -> None:
    for tenant in tenants:
        with in_tenant(tenant.client):
            people = {user.email: user for user in User.objects.all()}
            owner = people[tenant.spec.owner[0]]
            _seed_rooms(tenant.client, people, owner, CONVERSATIONS.get(tenant.spec.slug, []))
            if len(people) > 1 and not Room.objects.filter(kind=Room.Kind.DIRECT).exists():
                others = [user for email, user in people.items() if email != owner.email]
                direct = do_open_direct(tenant=tenant.client, user=owner, others=others[:1])
                do_send_message(
                    tenant=tenant.client, author=owner, room=direct, body="A direct message: just the two of us."
                )


def _seed_rooms(client: Client, people: dict[str, User], owner: User, conversations: list[Conversation]) -> None:
    """Precondition: the connection is in `client`'s schema."""
    for name, kind, topic, lines in conversations:
        room = Room.objects.filter(name=name).first()
        if room is None:
            room = do_create_room(tenant=client, name=name, creator=owner, kind=kind, topic=topic)
        if room.messages.exists():
            continue
        for email, text in lines:
            author = people[email]
            if kind == Room.Kind.PUBLIC:
                do_join_room(tenant=client, user=author, room=room)
            do_send_message(tenant=client, author=author, room=room, body=text)
