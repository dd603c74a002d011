from __future__ import annotations

from typing import Any

from branding.emails import OutgoingEmail
from config.celery import app


@app.task(name="branding.deliver_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(message: dict[str, Any]) -> None:
    """Send a rendered e-mail. Retried on connection errors; a redelivery after a worker crash
    may send it twice, which beats never sending a reset link or an invitation."""
    OutgoingEmail(**message).send()
