"""Documents' demo data (tenants.demo): Acme's handbook, shared in `general`, a PDF the worker
reads page by page, so search finds it."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from chat.actions import do_send_message
from chat.models import Room
from documents.actions.uploads import do_upload_document
from documents.demo import text_pdf
from documents.models import Document
from tenants.db import in_tenant
from tenants.demo import DemoTenant, find

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


def seed_handbook(tenants: Sequence[DemoTenant]) -> None:
    """Shared by Acme's owner, after chat's step made `general` and its welcome messages."""
    acme = find(tenants, "acme")
    if acme is None:
        return
    with in_tenant(acme.client):
        if Document.objects.filter(name=HANDBOOK_NAME).exists():
            return
        owner = User.objects.get(email=acme.spec.owner[0])
        data = text_pdf(
            HANDBOOK_PAGES, title="Acme employee handbook", author=owner.get_full_name(), created=timezone.now()
        )
        upload = SimpleUploadedFile(HANDBOOK_NAME, data, content_type="application/pdf")
        document = do_upload_document(tenant=acme.client, uploader=owner, upload=upload)
        do_send_message(
            tenant=acme.client,
            author=owner,
            room=Room.objects.get(name="general"),
            body="The handbook, for everyone new 📘",
            attachments=[document],
        )
