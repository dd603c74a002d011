"""Development data of CONTRACT.md, created only where absent (local settings only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.actions import do_create_staff_user, do_create_user
from accounts.models import User
from billing.actions import do_recount_usage
from branding.actions import do_add_brand_image, do_publish_brand, do_update_draft
from branding.images import process_brand_image
from branding.models import BrandAsset, BrandVersion
from chat.actions import do_create_room, do_join_room, do_open_direct, do_send_message
from chat.models import Room
from documents.actions import do_upload_document
from documents.demo import text_pdf
from documents.models import Document
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tenants.urls_helpers import platform_url, tenant_url

PASSWORD = "demo-pass-1234"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoWorkspace:
    slug: str
    name: str
    owner: tuple[str, str]
    members: tuple[tuple[str, str], ...] = ()


WORKSPACES = [
    DemoWorkspace("acme", "Acme", ("alice@acme.test", "Alice Anders"), (("bob@acme.test", "Bob Brown"),)),
    DemoWorkspace("globex", "Globex", ("carol@globex.test", "Carol Chen")),
]
STAFF_EMAIL = "admin@localhost"


# (room, kind, topic, [(author e-mail, text)]) per workspace; rooms are created where absent
# and get their messages only while they have none.
CONVERSATIONS: dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]] = {
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


# Acme's handbook, shared in `general`: a PDF the worker reads page by page, so search finds it.
HANDBOOK_NAME = "Acme employee handbook.pdf"
HANDBOOK_PAGES = [
    ["Acme employee handbook", "Everything a new colleague needs in the first week.", "", "Contents:",
     "1. Welcome  2. Working hours  3. Holidays  4. Expenses  5. Security"],
    ["Welcome", "Acme builds rockets, anvils and other fine products for discerning coyotes.",
     "Your manager will set up a first-week plan with you."],
    ["Working hours", "Core hours are 10:00 to 16:00; plan the rest of your day as suits you.",
     "Remote work is welcome: tell your team in the general room where you are."],
    ["Holidays", "Everyone has 28 days of paid holiday a year, plus public holidays.",
     "Book holidays at least two weeks ahead in the leave calendar."],
    ["Expenses", "Travel is booked second class; keep every receipt.",
     "Expenses are reimbursed within 30 days of the claim."],
    ["Security", "Lock your screen when you leave your desk.",
     "Report phishing e-mails to security@acme.test at once."],
]  # fmt: skip


def seed_handbook(client: Client, owner: User) -> None:
    """Precondition: the connection is in `client`'s schema."""
    if Document.objects.filter(name=HANDBOOK_NAME).exists():
        return
    room = Room.objects.get(name="general")
    data = text_pdf(
        HANDBOOK_PAGES, title="Acme employee handbook", author=owner.get_full_name(), created=timezone.now()
    )
    document = do_upload_document(
        tenant=client, uploader=owner, upload=SimpleUploadedFile(HANDBOOK_NAME, data, content_type="application/pdf")
    )
    do_send_message(
        tenant=client, author=owner, room=room, body="The handbook, for everyone new 📘", attachments=[document]
    )


# Acme's brand, published once over the default one: a wordmark and an icon for light and dark,
# its colours, sign-in words and legal links, so the studio and every page show a real brand.
ACME_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="14" fill="{background}"/>'
    '<path d="M32 12 50 50H40l-3.5-8h-9L24 50H14Zm0 14-3 9h6Z" fill="{foreground}"/></svg>'
)
ACME_WORDMARK = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 232 64">'
    '<rect width="64" height="64" rx="14" fill="{background}"/>'
    '<path d="M32 12 50 50H40l-3.5-8h-9L24 50H14Zm0 14-3 9h6Z" fill="{foreground}"/>'
    '<text x="80" y="45" font-family="Liberation Sans, Arial, sans-serif" font-size="36" font-weight="700"'
    ' fill="{ink}">Acme</text></svg>'
)
ACME_BRAND = {
    "primary_colour": "#0f766e",
    "accent_colour": "#b45309",
    "login_headline": "Welcome back to Acme",
    "login_text": "Sign in with your Acme e-mail address. New here? Ask your manager for an invitation.",
    "email_footer": "Acme Inc. · 1 Road Runner Way, Desert Valley",
    "legal_links": [
        {"label": "Terms", "url": "https://example.com/acme/terms"},
        {"label": "Privacy", "url": "https://example.com/acme/privacy"},
    ],
}


def seed_brand(owner: User) -> None:
    """Precondition: the connection is in Acme's schema. Only over a brand nobody has changed."""
    if BrandVersion.objects.count() > 1 or BrandAsset.objects.exists():
        return
    images = {
        "logo": ACME_WORDMARK.format(background="#0f766e", foreground="#ffffff", ink="#0f172a"),
        "logo_dark": ACME_WORDMARK.format(background="#2dd4bf", foreground="#0f172a", ink="#f8fafc"),
        "icon": ACME_ICON.format(background="#0f766e", foreground="#ffffff"),
        "icon_dark": ACME_ICON.format(background="#2dd4bf", foreground="#0f172a"),
    }
    for kind, svg in images.items():
        do_add_brand_image(actor=owner, kind=kind, image=process_brand_image(svg.encode(), kind=kind))
    do_update_draft(actor=owner, changes=ACME_BRAND)
    do_publish_brand(actor=owner)


def seed_conversations(client: Client, spec: DemoWorkspace) -> None:
    """Precondition: the connection is in `client`'s schema."""
    people = {user.email: user for user in User.objects.all()}
    owner = people[spec.owner[0]]
    for name, kind, topic, lines in CONVERSATIONS.get(spec.slug, []):
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
    if len(people) > 1 and not Room.objects.filter(kind=Room.Kind.DIRECT).exists():
        others = [user for email, user in people.items() if email != owner.email]
        direct = do_open_direct(tenant=client, user=owner, others=others[:1])
        do_send_message(tenant=client, author=owner, room=direct, body="A direct message: just the two of us.")
    if spec.slug == "acme":
        seed_handbook(client, owner)
        seed_brand(owner)


class Command(BaseCommand):
    help = "Seed the demo tenants, users and staff account (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with local settings (DEBUG on).")
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            do_create_staff_user(email=STAFF_EMAIL, password=PASSWORD, name="Platform Admin")
        for spec in WORKSPACES:
            client = Client.objects.filter(slug=spec.slug).first()
            if client is None:
                email, name = spec.owner
                client = do_provision_workspace(
                    slug=spec.slug, name=spec.name, owner_email=email, owner_name=name, owner_password=PASSWORD
                ).client
            with schema_context(client.schema_name):
                for email, name in spec.members:
                    if not User.objects.filter(email=email).exists():
                        do_create_user(email=email, password=PASSWORD, name=name, role=User.Role.MEMBER)
                seed_conversations(client, spec)
            # Demo people and the handbook were written around the usage counters' actions.
            do_recount_usage(client=client)
        self.print_summary()

    def print_summary(self) -> None:
        lines = [
            "",
            "Demo data is ready. Password for every account: " + PASSWORD,
            f"  Platform:  {platform_url('/')}   (admin: {platform_url('/admin/')}  {STAFF_EMAIL})",
        ]
        for spec in WORKSPACES:
            client = Client.objects.get(slug=spec.slug)
            people = [spec.owner[0], *(email for email, _ in spec.members)]
            lines.append(f"  {spec.name:<9}  {tenant_url(client, '/login/')}   ({', '.join(people)})")
        self.stdout.write("\n".join(lines) + "\n")
