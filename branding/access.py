"""Who may change the brand, and what the rules of a draft change need to know about the tenant.

Reading the published brand is for everyone signed in; the draft, images, publishing and the
history are for owners and admins (accounts.access.require_workspace_admin).
"""

from __future__ import annotations

from accounts.access import require_workspace_admin
from accounts.models import User
from branding.hooks import may_hide_powered_by
from branding.models import Brand, BrandAsset
from branding.selectors import asset_path_exists
from branding.validation import CheckContext
from config.api.errors import AccessDenied
from tenants.models import Client


def require_brand_editor(user: User) -> None:
    try:
        require_workspace_admin(user)
    except AccessDenied as exc:
        raise AccessDenied("Only owners and admins can change the brand.") from exc


def check_context(*, tenant: Client, brand: Brand) -> CheckContext:
    """Precondition: the connection is in `tenant`'s schema."""

    def asset_kind_of(asset_id: int) -> str | None:
        kind: str | None = (
            BrandAsset.objects.filter(pk=asset_id, source__isnull=True).values_list("kind", flat=True).first()
        )
        return kind

    return CheckContext(
        primary_colour=brand.primary_colour,
        accent_colour=brand.accent_colour,
        asset_url_allowed=asset_path_exists,
        asset_kind_of=asset_kind_of,
        may_hide_powered_by=may_hide_powered_by(tenant),
    )


def show_powered_by(*, tenant: Client | None, hide_requested: bool) -> bool:
    """The "Powered by" line shows unless the tenant asked to hide it and its plan allows that.
    The platform's own pages (no tenant) do not carry it."""
    if tenant is None or tenant.schema_name == "public":
        return False
    return not (hide_requested and may_hide_powered_by(tenant))
