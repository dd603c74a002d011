"""branding.renditions: a brand's icon drawn into favicons of every size, the letter icon of a
brand without one, and the logo for e-mail. Every image is made here with Pillow; no database."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from branding.images import process_brand_image
from branding.renditions import FAVICON_ICO, FAVICON_SIZES, ICO_SIZES, favicon_set, letter_icon
from tests.support.branding import RED, drawing, encode


def ico_sizes(data: bytes) -> set[tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as ico:
        assert ico.format == "ICO"
        return set(ico.info["sizes"])


SQUARE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#dc1414"/></svg>'
)


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(drawing((256, 256)), "PNG"),
        lambda: encode(drawing((300, 300), "RGB"), "JPEG"),
        lambda: encode(drawing((128, 128)), "WEBP"),
        lambda: SQUARE_SVG,
    ],
    ids=["png", "jpeg", "webp", "svg"],
)
def test_favicon_set_has_every_size_and_format(make: Callable[[], bytes]) -> None:
    # given
    icon = process_brand_image(make(), kind="icon")
    # when
    renditions = favicon_set(icon)
    # then
    assert set(renditions) == {*FAVICON_SIZES, FAVICON_ICO}
    for name, size in FAVICON_SIZES.items():
        rendition = renditions[name]
        with Image.open(io.BytesIO(rendition.content)) as image:
            assert (image.format, image.size) == ("PNG", (size, size))
        assert (rendition.content_type, rendition.width, rendition.height) == ("image/png", size, size)
        assert rendition.sha256 == hashlib.sha256(rendition.content).hexdigest()
    assert renditions[FAVICON_ICO].content_type == "image/x-icon"
    assert (
        ico_sizes(renditions[FAVICON_ICO].content)
        == {(size, size) for size in ICO_SIZES}
        == {
            (16, 16),
            (32, 32),
            (48, 48),
        }
    )


def test_favicon_set_centres_a_wide_icon_on_transparency_and_the_apple_icon_on_white() -> None:
    # given an icon twice as wide as high
    icon = process_brand_image(encode(Image.new("RGBA", (256, 128), (*RED, 255)), "PNG"), kind="icon")
    # when
    renditions = favicon_set(icon)
    # then the 512 square has transparent bands above and below, and red in the middle
    with Image.open(io.BytesIO(renditions["android-chrome-512x512.png"].content)) as large:
        large = large.convert("RGBA")
        assert large.getpixel((256, 10))[3] == 0 and large.getpixel((256, 500))[3] == 0
        assert large.getpixel((256, 256)) == (*RED, 255)
    # and iOS gets an opaque icon, white where the others are transparent
    with Image.open(io.BytesIO(renditions["apple-touch-icon.png"].content)) as apple:
        assert apple.mode == "RGB"
        assert apple.getpixel((90, 5)) == (255, 255, 255)
        assert apple.getpixel((90, 90)) == RED


def test_favicon_set_is_deterministic() -> None:
    for data in (encode(drawing((200, 200)), "PNG"), SQUARE_SVG):
        first = favicon_set(process_brand_image(data, kind="icon"))
        second = favicon_set(process_brand_image(data, kind="icon"))
        assert {name: r.sha256 for name, r in first.items()} == {name: r.sha256 for name, r in second.items()}


def test_favicon_set_draws_an_svg_icon_sharply_at_each_size() -> None:
    renditions = favicon_set(process_brand_image(SQUARE_SVG, kind="icon"))
    with Image.open(io.BytesIO(renditions["favicon-16x16.png"].content)) as small:
        small = small.convert("RGBA")
        assert small.getpixel((8, 8)) == (0xDC, 0x14, 0x14, 255)
        assert small.getpixel((0, 0))[3] < 64


def test_letter_icon_draws_the_letter_on_a_rounded_square() -> None:
    # when
    data = letter_icon(letter="acme", background="#4f46e5", foreground="#ffffff")
    # then
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGBA")
        assert image.size == (512, 512)
        assert image.getpixel((0, 0))[3] == 0  # the corner is rounded off
        assert image.getpixel((256, 20)) == (0x4F, 0x46, 0xE5, 255)
        white = [(x, y) for x in range(0, 512, 4) for y in range(0, 512, 4) if image.getpixel((x, y)) == (255,) * 4]
    assert white, "the letter is drawn"
    xs, ys = [x for x, _ in white], [y for _, y in white]
    assert abs((min(xs) + max(xs)) / 2 - 256) < 24 and abs((min(ys) + max(ys)) / 2 - 256) < 24


def test_letter_icon_is_deterministic_and_differs_by_letter() -> None:
    a = letter_icon(letter="A", background="#4f46e5", foreground="#ffffff", size=64)
    assert a == letter_icon(letter="a", background="#4f46e5", foreground="#ffffff", size=64)
    assert a != letter_icon(letter="B", background="#4f46e5", foreground="#ffffff", size=64)
    assert Image.open(io.BytesIO(a)).size == (64, 64)


@pytest.mark.parametrize(
    "arguments",
    [
        {"letter": "", "background": "#4f46e5", "foreground": "#ffffff"},
        {"letter": "   ", "background": "#4f46e5", "foreground": "#ffffff"},
        {"letter": "A", "background": "blue", "foreground": "#ffffff"},
        {"letter": "A", "background": "#4f46e5", "foreground": "#fff;"},
        {"letter": "A", "background": "#4f46e5", "foreground": "#ffffff", "size": 8},
    ],
)
def test_letter_icon_refuses_bad_arguments(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        letter_icon(**arguments)


def test_email_logo_is_a_png_of_an_svg_or_webp_wordmark_and_nothing_for_png() -> None:
    from branding.renditions import EMAIL_LOGO_HEIGHT, email_logo
    from tests.support.branding import CLEAN_LOGO

    svg_logo = process_brand_image(CLEAN_LOGO.encode(), kind="logo")
    webp_logo = process_brand_image(encode(drawing((400, 100)), "WEBP"), kind="logo")
    png_logo = process_brand_image(encode(drawing((400, 100)), "PNG"), kind="logo")

    for logo in (svg_logo, webp_logo):
        rendition = email_logo(logo)
        assert rendition is not None and rendition.content_type == "image/png"
        assert rendition.height == EMAIL_LOGO_HEIGHT
        with Image.open(io.BytesIO(rendition.content)) as image:
            assert image.format == "PNG" and image.size == (rendition.width, rendition.height)
    assert email_logo(png_logo) is None
