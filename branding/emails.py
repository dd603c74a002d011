"""E-mail in the tenant's name: its published brand's sender name and reply-to address, colours,
logo, footer and legal links, links to its primary domain, and the "Powered by" line unless its
plan lets it hide that. Rendered in the request (where the tenant and the data are at hand),
delivered after the commit, through a Celery task unless EMAIL_ASYNC is off."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from branding.access import show_powered_by as powered_by_shown
from branding.theme import Theme, theme_for
from tenants.models import Client
from tenants.urls_helpers import platform_url, tenant_url


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
    *,
    tenant: Client,
    to: str,
    template: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    theme: Theme | None = None,
    show_powered_by: bool | None = None,
) -> OutgoingEmail:
    """`templates/emails/<template>_subject.txt`, `.txt` and `.html`, with the tenant's theme (or
    `theme`: the studio previews a draft). `reply_to` overrides the brand's reply-to address."""
    theme = theme or theme_for(tenant)
    if show_powered_by is None:
        show_powered_by = powered_by_shown(tenant=tenant, hide_requested=theme.hide_powered_by)
    workspace_url = tenant_url(tenant)
    origin = workspace_url.removesuffix("/")
    context = {
        **context,
        "theme": theme,
        "workspace_url": workspace_url,
        # Mail clients need absolute URLs; the content-hash ones never change under a sent mail.
        "logo_url": origin + theme.email_logo_url if theme.email_logo_url else "",
        "show_powered_by": show_powered_by,
        "platform_name": settings.PLATFORM_NAME,
        "platform_url": platform_url(),
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    reply = reply_to or theme.email_reply_to
    return OutgoingEmail(
        subject=subject,
        to=[to],
        from_email=formataddr((theme.sender_name, settings.DEFAULT_FROM_EMAIL)),
        text=render_to_string(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
        reply_to=[reply] if reply else [],
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
