"""Serving stored files through views that have already checked the tenant and the person."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file(
    stored: FieldFile | None, *, missing: str, content_type: str | None = None, max_age: int = 300
) -> FileResponse:
    """A stored file for this viewer only: no shared caches, no type sniffing, and an uploaded
    SVG or HTML can never run script in our origin. 404 with `missing` when there is none.
    Precondition: the caller has checked the tenant and the viewer."""
    if not stored:
        raise Http404(missing)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    # Without content_type, FileResponse derives it (and an inline disposition) from the name.
    response = FileResponse(handle, content_type=content_type) if content_type else FileResponse(handle)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response
