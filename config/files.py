"""Serving stored files through views that have already checked the tenant (and, for private
files, the person)."""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file(
    stored: FieldFile | None,
    *,
    missing: str,
    content_type: str | None = None,
    max_age: int = 300,
    download_as: str | None = None,
    cache_control: str | None = None,
) -> FileResponse:
    """A stored file for this viewer only: no shared caches, no type sniffing, and an uploaded
    SVG or HTML can never run script in our origin. 404 with `missing` when there is none.
    `download_as` makes the browser save it under that name (any Unicode) instead of showing it.
    `cache_control` replaces the private default, for files anyone on the tenant's host may see
    (its brand images). Precondition: the caller has checked the tenant and the viewer."""
    if not stored:
        raise Http404(missing)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    # Without content_type, FileResponse derives it (and an inline disposition) from the name.
    options: dict[str, Any] = {"as_attachment": True, "filename": download_as} if download_as else {}
    if content_type:
        options["content_type"] = content_type
    response = FileResponse(handle, **options)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control or f"private, max-age={max_age}"
    return response
