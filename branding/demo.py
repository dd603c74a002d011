"""Branding's demo data (tenants.demo): Acme's brand, published once over the default one, with
a wordmark and an icon for light and dark, its colours, sign-in words and legal links, so the
studio and every page show a real brand."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from branding.actions import do_add_brand_image, do_publish_brand, do_update_draft
from branding.images import process_brand_image
from branding.models import BrandAsset, BrandVersion
from tenants.db import in_tenant
from tenants.demo import DemoTenant, find

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


def seed_brand(tenants: Sequence[DemoTenant]) -> None:
    """Only over a brand nobody has changed: a published version or an image means someone did."""
    acme = find(tenants, "acme")
    if acme is None:
        return
    with in_tenant(acme.client):
        if BrandVersion.objects.count() > 1 or BrandAsset.objects.exists():
            return
        owner = User.objects.get(email=acme.spec.owner[0])
        images = {
            "logo": ACME_WORDMARK.format(background="#0f766e", foreground="#ffffff", ink="#0f172a"),
            "logo_dark": ACME_WORDMARK.format(background="#2dd4bf", foreground="#0f172a", ink="#f8fafc"),
            "icon": ACME_ICON.format(background="#0f766e", foreground="#ffffff"),
            "icon_dark": ACME_ICON.format(background="#2dd4bf", foreground="#0f172a"),
        }
        for kind, svg in images.items():
            do_add_brand_image(
                tenant=acme.client, actor=owner, kind=kind, image=process_brand_image(svg.encode(), kind=kind)
            )
        do_update_draft(tenant=acme.client, actor=owner, changes=ACME_BRAND)
        do_publish_brand(tenant=acme.client, actor=owner)
