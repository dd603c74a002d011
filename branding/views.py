"""The tenant's logo, served from storage through Django so it is always the current tenant's."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from branding.models import Brand


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
    response = FileResponse(handle)
    # An uploaded SVG may carry script: never let the browser run it or sniff another type.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
