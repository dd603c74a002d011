"""Brand images (logos, icons, the login background) judged by their content, never by a name.

A raster image is decoded and re-encoded, never stored as sent: that applies the EXIF orientation,
drops metadata (a photo's location) and anything appended after the image data (an HTML payload
that a browser sniffing the content might run), keeps only the first frame of an animation, and
scales it down to what pages show. Only PNG, JPEG and WebP are decoded at all, and the declared
size is judged before any pixel is, so a few kilobytes that claim 30000 x 30000 pixels never reach
memory. SVGs are judged in `branding.svg`; the renditions of an accepted image (favicons, the
e-mail wordmark) are drawn in `branding.renditions`.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from branding.image_errors import ImageRejected
from branding.svg import clean_svg
from branding.svg_parse import parse_svg

MB = 1024 * 1024
# Judged on the declared size, before decoding: a decompression bomb stops here.
MAX_PIXELS = 40_000_000
MAX_SIDE = 8192
# A square-ish icon: its longer side at most this many times its shorter one.
MAX_ICON_ASPECT = 2.0
JPEG_QUALITY = 88
WEBP_QUALITY = 88

PNG, JPEG, WEBP, SVG = "image/png", "image/jpeg", "image/webp", "image/svg+xml"
# The raster formats Pillow may decode, and each one's (content type, extension) as stored.
RASTER_FORMATS = {"PNG": (PNG, "png"), "JPEG": (JPEG, "jpg"), "WEBP": (WEBP, "webp")}
ACCEPTED = "PNG, JPEG, WebP or SVG"


@dataclass(frozen=True)
class KindLimits:
    """What one kind of brand image may be. Larger images are scaled down to fit max_width x
    max_height; smaller than min_width x min_height is refused (raster only: SVGs scale)."""

    label: str
    max_bytes: int
    min_width: int
    min_height: int
    max_width: int
    max_height: int
    max_aspect: float | None = None


_LOGO = KindLimits("logo", max_bytes=2 * MB, min_width=16, min_height=16, max_width=1024, max_height=256)
_ICON = KindLimits(
    "icon", max_bytes=2 * MB, min_width=64, min_height=64, max_width=1024, max_height=1024, max_aspect=MAX_ICON_ASPECT
)
KINDS: dict[str, KindLimits] = {
    # Wordmarks of any shape, shown 32-48 px high (twice that on dense screens, and more in mail).
    "logo": _LOGO,
    "logo_dark": _LOGO,
    # App icons; the favicon set is made from `icon`.
    "icon": _ICON,
    "icon_dark": _ICON,
    # A photo behind the sign-in form.
    "login_background": KindLimits(
        "login background", max_bytes=8 * MB, min_width=640, min_height=360, max_width=2560, max_height=2560
    ),
}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "La", "RGBa"})


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted brand image as it is stored."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def _human(size: int) -> str:
    return f"{size / MB:.3g} MB" if size >= MB else f"{size / 1024:.3g} KB"


def process_brand_image(data: bytes, *, kind: str) -> ProcessedImage:
    """`data` accepted as a brand image of `kind` (a key of KINDS), as it is to be stored.
    ImageRejected with a sentence for people for anything refused; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"Unknown brand image kind {kind!r}.")
    limits = KINDS[kind]
    if len(data) > limits.max_bytes:
        raise ImageRejected(
            f"The {limits.label} is {_human(len(data))}; at most {_human(limits.max_bytes)} is accepted.", "too_large"
        )
    if not data:
        raise ImageRejected(f"The {limits.label} is empty.", "corrupt")
    raster = _raster_format(data)
    if raster is not None:
        return _process_raster(data, raster, limits)
    parsed = parse_svg(data)
    if parsed is None:
        raise ImageRejected(
            f"The {limits.label} is {_describe(data)}; only {ACCEPTED} images are accepted.", "unsupported_type"
        )
    svg = clean_svg(data, *parsed)
    _check_aspect(svg.width, svg.height, limits)
    return ProcessedImage(
        content=svg.content,
        content_type=SVG,
        extension="svg",
        width=svg.width,
        height=svg.height,
        sha256=hashlib.sha256(svg.content).hexdigest(),
    )


def _raster_format(data: bytes) -> str | None:
    """The accepted raster format `data` claims by its signature. Pillow then decodes only that
    format, so a file cannot claim one and be read as another."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


_SIGNATURES = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"#!", "a script"),
)


def _describe(data: bytes) -> str:
    """What a person would call a file that is not an accepted image, for the refusal."""
    for signature, label in _SIGNATURES:
        if data.startswith(signature):
            return label
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "a HEIC photo (save it as JPEG)"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video or an ISO media file"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "an HTML or XML document"
    return "not an image"


# ---------------------------------------------------------------------------------------------
# Raster images
# ---------------------------------------------------------------------------------------------


def _process_raster(data: bytes, image_format: str, limits: KindLimits) -> ProcessedImage:
    corrupt = ImageRejected(f"The {limits.label} could not be read: the file is damaged or incomplete.", "corrupt")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check only warns below twice its limit; here it refuses.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=(image_format,)) as image:
                width, height = image.size
                if _orientation(image) in (5, 6, 7, 8):
                    width, height = height, width
                _check_dimensions(width, height, limits)
                image.seek(0)
                image.load()
                picture = _normalised(image, image_format)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(limits) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise corrupt from exc
    picture.thumbnail((limits.max_width, limits.max_height), Image.Resampling.LANCZOS)
    content = _encode(picture, image_format, photo=limits.label == "login background")
    content_type, extension = RASTER_FORMATS[image_format]
    return ProcessedImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except (OSError, ValueError, TypeError, SyntaxError):
        return 1


def _too_many_pixels(limits: KindLimits) -> ImageRejected:
    return ImageRejected(
        f"The {limits.label} has too many pixels; at most {MAX_PIXELS // 1_000_000} million are accepted.",
        "too_many_pixels",
    )


def _check_dimensions(width: int, height: int, limits: KindLimits) -> None:
    """The declared size, before any pixel is decoded."""
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(limits)
    if max(width, height) > MAX_SIDE:
        raise ImageRejected(
            f"The {limits.label} is {width} x {height} pixels; at most {MAX_SIDE} pixels a side are accepted.",
            "too_large_dimensions",
        )
    if width < limits.min_width or height < limits.min_height:
        raise ImageRejected(
            f"The {limits.label} is {width} x {height} pixels; it must be at least "
            f"{limits.min_width} x {limits.min_height} to look sharp.",
            "too_small",
        )
    _check_aspect(width, height, limits)


def _check_aspect(width: int, height: int, limits: KindLimits) -> None:
    if limits.max_aspect is not None and max(width, height) > limits.max_aspect * min(width, height):
        raise ImageRejected(
            f"The {limits.label} is {width} x {height} pixels; it must be roughly square (at most "
            f"{limits.max_aspect:g} times wider than high, or the reverse), since it is shown as a square.",
            "not_square",
        )


def _normalised(image: Image.Image, image_format: str) -> Image.Image:
    """The decoded frame upright, in 8-bit sRGB, as RGB or (when it has transparency) RGBA."""
    picture = ImageOps.exif_transpose(image)
    if picture.mode in _SIXTEEN_BIT_MODES:
        # Pillow clips 16-bit greys to 8 bits rather than scaling them.
        picture = picture.convert("I").point(lambda value: value / 257).convert("L")
    picture = _to_srgb(picture)
    transparent = picture.mode in _ALPHA_MODES or "transparency" in picture.info
    if image_format == "JPEG" or not transparent:
        return picture.convert("RGB")
    return picture.convert("RGBA")


def _to_srgb(picture: Image.Image) -> Image.Image:
    """Colours from an embedded ICC profile converted to sRGB, which pages assume once the profile
    is dropped with the rest of the metadata (CMYK included). Unchanged without a usable profile."""
    profile = picture.info.get("icc_profile")
    if not profile or picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return picture
    output = "RGBA" if picture.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=output)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture
    return converted if converted is not None else picture


def _encode(picture: Image.Image, image_format: str, *, photo: bool) -> bytes:
    out = io.BytesIO()
    if image_format == "PNG":
        picture.save(out, format="PNG", optimize=True)
    elif image_format == "JPEG":
        picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        # Logos and icons are flat colour and sharp edges, which lossy WebP smears.
        picture.save(out, format="WEBP", quality=WEBP_QUALITY, lossless=not photo, method=4)
    return out.getvalue()
