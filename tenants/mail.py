"""E-mail the platform host sends in its own name (sign-up links, the list of someone's
workspaces): no tenant exists yet, or the mail is about several.

Rendered with the shared e-mail layout (`templates/emails/base.html`) in the platform's look;
tenants sits below branding, so the platform theme is given here as the few values the layout
reads. Delivered after the commit, through Celery unless EMAIL_ASYNC is off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from tenants.urls_helpers import platform_url

# The platform's primary colour (branding.theme.platform_theme), white text on it passes AA.
PLATFORM_PRIMARY = "#4f46e5"


@dataclass(frozen=True)
class PlatformEmail:
    subject: str
    to: str
    text: str
    html: str

    def send(self) -> None:
        sender = formataddr((settings.PLATFORM_NAME, settings.DEFAULT_FROM_EMAIL))
        message = EmailMultiAlternatives(subject=self.subject, body=self.text, from_email=sender, to=[self.to])
        message.attach_alternative(self.html, "text/html")
        message.send()


def render_platform_email(*, to: str, template: str, context: dict[str, Any]) -> PlatformEmail:
    """`templates/tenants/emails/<template>_subject.txt`, `.txt` and `.html`."""
    theme = {"display_name": settings.PLATFORM_NAME, "primary_colour": PLATFORM_PRIMARY, "text_on_primary": "#ffffff"}
    context = {
        **context,
        "theme": theme,
        "workspace_url": platform_url(),
        "platform_name": settings.PLATFORM_NAME,
        "platform_url": platform_url(),
    }
    prefix = f"tenants/emails/{template}"
    return PlatformEmail(
        subject=" ".join(render_to_string(f"{prefix}_subject.txt", context).split()),
        to=to,
        text=render_to_string(f"{prefix}.txt", context),
        html=render_to_string(f"{prefix}.html", context),
    )


def send_after_commit(email: PlatformEmail) -> None:
    """Deliver once the surrounding transaction commits: no mail announces rolled-back rows."""

    def deliver() -> None:
        if settings.EMAIL_ASYNC:
            from tenants.tasks import deliver_platform_email

            deliver_platform_email.delay(asdict(email))
        else:
            email.send()

    transaction.on_commit(deliver)
