"""Avatar uploads are decoded and re-encoded, never stored as sent.

Re-encoding drops metadata (EXIF location) and anything smuggled after the image data, and a
fixed size keeps pages light. Only the formats below are decoded at all.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb stops here rather than filling memory
SIZE = 256
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


def process_avatar(upload: UploadedFile) -> ContentFile[bytes]:
    """A square 256 px PNG from an uploaded PNG, JPEG, GIF or WebP; ValidationError otherwise."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The picture is larger than 5 MB.", code="too_large")
    try:
        with Image.open(upload, formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The picture has too many pixels.", code="too_large")
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP picture.", code="invalid_image") from exc
    picture = ImageOps.fit(picture, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="avatar.png")
