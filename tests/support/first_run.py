"""Workspaces a browser test creates through sign-up (committed by the server), and removing
them afterwards: the test database is kept between runs."""

from __future__ import annotations

from tenants.models import Client, PendingSignup


def remove_workspace(slug: str) -> None:
    """Drop the workspace's schema and rows, and its pending sign-ups."""
    PendingSignup.objects.filter(slug=slug).delete()
    for client in Client.objects.filter(slug=slug):
        client.auto_drop_schema = True
        client.delete(force_drop=True)
