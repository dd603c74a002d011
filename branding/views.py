"""The tenant's logo, served from storage through Django so it is always the current tenant's."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_safe

from branding.models import Brand
from config.files import private_file


@require_safe
def logo(request: HttpRequest) -> FileResponse:
    brand = Brand.objects.order_by("pk").first()
    return private_file(brand.logo if brand else None, missing="This workspace has no logo.")
