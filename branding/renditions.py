"""Images drawn from accepted brand images: the favicon set of an icon, the PNG wordmark e-mails
carry, and the letter icon of a workspace without an icon. Every rendition comes from an image
that was accepted (branding.images), and the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from branding.colours import parse_hex
from branding.images import JPEG, PNG, RASTER_FORMATS, SVG, ProcessedImage
from branding.svg import render_svg

FAVICON_SIZES = {
    "favicon-16x16.png": 16,
    "favicon-32x32.png": 32,
    # iOS fills transparency with black, so this one is drawn on white.
    "apple-touch-icon.png": 180,
    "android-chrome-192x192.png": 192,
    "android-chrome-512x512.png": 512,
}
APPLE_TOUCH_ICON = "apple-touch-icon.png"
FAVICON_ICO = "favicon.ico"
ICO_SIZES = (16, 32, 48)


@dataclass(frozen=True)
class Rendition:
    """One image drawn from an accepted brand image (a favicon size)."""

    content: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _rendition(content: bytes, content_type: str, size: int) -> Rendition:
    return Rendition(
        content=content, content_type=content_type, width=size, height=size, sha256=hashlib.sha256(content).hexdigest()
    )


def _squares(icon: ProcessedImage) -> dict[int, Image.Image]:
    """The icon drawn into each square size the set needs, centred on transparency if it is not
    square. SVGs are drawn at each size; rasters are resampled from the stored image."""
    sizes = sorted({*FAVICON_SIZES.values(), *ICO_SIZES})
    source: Image.Image | None = None
    if icon.content_type != SVG:
        with Image.open(io.BytesIO(icon.content), formats=tuple(RASTER_FORMATS)) as image:
            source = image.convert("RGBA")
    squares = {}
    for size in sizes:
        if source is None:
            drawn = render_svg(icon.content, width=size, height=size)
        else:
            drawn = ImageOps.contain(source, (size, size), Image.Resampling.LANCZOS)
        square = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        square.paste(drawn, ((size - drawn.width) // 2, (size - drawn.height) // 2))
        squares[size] = square
    return squares


def favicon_set(icon: ProcessedImage) -> dict[str, Rendition]:
    """The favicons of an accepted icon, by file name: PNGs of FAVICON_SIZES (the apple-touch icon
    on opaque white) and `favicon.ico` holding ICO_SIZES. The same icon gives the same bytes."""
    squares = _squares(icon)
    renditions: dict[str, Rendition] = {}
    for name, size in FAVICON_SIZES.items():
        picture = squares[size]
        if name == APPLE_TOUCH_ICON:
            white = Image.new("RGB", picture.size, (255, 255, 255))
            white.paste(picture, mask=picture.getchannel("A"))
            picture = white
        renditions[name] = _rendition(_png(picture), PNG, size)
    frames = [squares[size] for size in ICO_SIZES]
    out = io.BytesIO()
    # Each size drawn on its own rather than Pillow shrinking the largest.
    frames[-1].save(out, format="ICO", sizes=[(size, size) for size in ICO_SIZES], append_images=frames[:-1])
    renditions[FAVICON_ICO] = _rendition(out.getvalue(), "image/x-icon", max(ICO_SIZES))
    return renditions


def letter_icon(*, letter: str, background: str, foreground: str, size: int = 512) -> bytes:
    """A PNG of `letter` (its first character, upper-cased) centred on a rounded square of
    `background`: the icon of a workspace that has none. Drawn with Pillow's bundled font, so it
    needs no system fonts; scripts that font lacks come out as a blank square. Drawn at up to four
    times the size and scaled down, for smooth edges."""
    back, fore = parse_hex(background), parse_hex(foreground)
    glyph = letter.strip()[:1].upper()[:1]
    if not glyph:
        raise ValueError("A letter icon needs a letter.")
    if not 16 <= size <= 2048:
        raise ValueError("A letter icon is between 16 and 2048 pixels.")
    scale = max(1, min(4, 4096 // size))
    canvas_size = size * scale
    canvas = Image.new("RGBA", (canvas_size, canvas_size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((0, 0, canvas_size - 1, canvas_size - 1), radius=round(canvas_size * 0.22), fill=back)
    font = ImageFont.load_default(size=round(canvas_size * 0.56))
    left, top, right, bottom = draw.textbbox((0, 0), glyph, font=font)
    position = ((canvas_size - (right - left)) / 2 - left, (canvas_size - (bottom - top)) / 2 - top)
    draw.text(position, glyph, font=font, fill=fore)
    return _png(canvas.resize((size, size), Image.Resampling.LANCZOS))


def favicons_by_size(icon: ProcessedImage) -> dict[str, Rendition]:
    """`favicon_set` keyed as pages name them: "16", "32", "180", "192", "512" and "ico"."""
    renditions = favicon_set(icon)
    keyed = {str(size): renditions[name] for name, size in FAVICON_SIZES.items()}
    keyed["ico"] = renditions[FAVICON_ICO]
    return keyed


# Mail clients (Gmail, Outlook) show neither SVG nor, everywhere, WebP: e-mails carry a PNG.
EMAIL_LOGO_HEIGHT = 96
EMAIL_LOGO_MAX_WIDTH = 600
EMAIL_SAFE = frozenset({PNG, JPEG})


def email_logo(logo: ProcessedImage) -> Rendition | None:
    """A PNG of the wordmark for e-mails (twice the 48 px it is shown at), or None when the stored
    image already is one mail clients show."""
    if logo.content_type in EMAIL_SAFE:
        return None
    scale = min(EMAIL_LOGO_HEIGHT / logo.height, EMAIL_LOGO_MAX_WIDTH / logo.width)
    width, height = max(1, round(logo.width * scale)), max(1, round(logo.height * scale))
    if logo.content_type == SVG:
        picture = render_svg(logo.content, width=width, height=height)
    else:
        with Image.open(io.BytesIO(logo.content), formats=tuple(RASTER_FORMATS)) as image:
            picture = image.convert("RGBA").resize((width, height), Image.Resampling.LANCZOS)
    content = _png(picture)
    return Rendition(
        content=content,
        content_type=PNG,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
