"""The tenant's logo, served from storage through Django so it is always the current tenant's."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from branding.models import Brand
from config.files import private_file


@require_safe
def logo(request: HttpRequest) -> FileResponse:
    brand = Brand.objects.order_by("pk").first()
    if brand is None or not brand.logo:
        raise Http404("This workspace has no logo.")
    try:
        handle = brand.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This workspace has no logo.") from exc
    # FileResponse derives Content-Type (and Content-Disposition: inline) from the stored name.
    return private_file(handle)
