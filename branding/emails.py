"""E-mail in the tenant's name: its display name as the sender, its colours and logo, links to its
primary domain. Rendered in the request (where the tenant and the data are at hand), delivered
after the commit, through a Celery task unless EMAIL_ASYNC is off."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from branding.theme import theme_for
from tenants.models import Client
from tenants.urls_helpers import tenant_url


@dataclass(frozen=True)
class OutgoingEmail:
    subject: str
    to: list[str]
    from_email: str
    text: str
    html: str
    reply_to: list[str] = field(default_factory=list)

    def send(self) -> None:
        message = EmailMultiAlternatives(
            subject=self.subject, body=self.text, from_email=self.from_email, to=self.to, reply_to=self.reply_to
        )
        message.attach_alternative(self.html, "text/html")
        message.send()


def render_branded_email(
    *, tenant: Client, to: str, template: str, context: dict[str, Any], reply_to: str | None = None
) -> OutgoingEmail:
    """`templates/emails/<template>_subject.txt`, `.txt` and `.html`, with the tenant's theme."""
    theme = theme_for(tenant)
    context = {
        **context,
        "theme": theme,
        "workspace_url": tenant_url(tenant),
        "logo_url": tenant_url(tenant, theme.logo_url) if theme.logo_url else "",
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    return OutgoingEmail(
        subject=subject,
        to=[to],
        from_email=formataddr((theme.display_name, settings.DEFAULT_FROM_EMAIL)),
        text=render_to_string(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
        reply_to=[reply_to] if reply_to else [],
    )


def send_after_commit(email: OutgoingEmail) -> None:
    """Deliver once the surrounding transaction commits, so no mail announces rolled-back data."""

    def deliver() -> None:
        if settings.EMAIL_ASYNC:
            from branding.tasks import deliver_email

            deliver_email.delay(asdict(email))
        else:
            email.send()

    transaction.on_commit(deliver)
