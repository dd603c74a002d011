"""branding.images and branding.renditions: brand images are judged by their bytes, re-encoded
before they are stored, and drawn into favicons. Every image is made here with Pillow; no database."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from branding import images
from branding.image_errors import ImageRejected
from branding.images import KINDS, MAX_PIXELS, MAX_SIDE, ProcessedImage, process_brand_image
from branding.renditions import FAVICON_ICO, FAVICON_SIZES, ICO_SIZES, favicon_set, letter_icon
from tests.support.branding import png_declaring

MB = 1024 * 1024
RED, BLUE = (220, 20, 20), (20, 20, 220)


def encode(picture: Image.Image, image_format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, format=image_format, **options)
    return out.getvalue()


def drawing(size: tuple[int, int], mode: str = "RGBA") -> Image.Image:
    """Red on the left half, blue on the right: orientation and colours can be told apart."""
    picture = Image.new(mode, size, RED if mode != "RGBA" else (*RED, 255))
    ImageDraw.Draw(picture).rectangle(
        (size[0] // 2, 0, size[0], size[1]), fill=BLUE if mode != "RGBA" else (*BLUE, 255)
    )
    return picture


def decoded(result: ProcessedImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def rejected(data: bytes, kind: str = "logo") -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_brand_image(data, kind=kind)
    assert caught.value.message and str(caught.value) == caught.value.message
    return caught.value


# ---------------------------------------------------------------------------------------------
# Accepted rasters are re-encoded
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")],
)
def test_process_brand_image_keeps_the_format(image_format: str, content_type: str, extension: str) -> None:
    # given
    mode = "RGB" if image_format == "JPEG" else "RGBA"
    data = encode(drawing((400, 100), mode), image_format)
    # when
    result = process_brand_image(data, kind="logo")
    # then
    assert (result.content_type, result.extension, result.width, result.height) == (content_type, extension, 400, 100)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    image = decoded(result)
    assert image.format == image_format
    assert close_to(image.getpixel((50, 50)), RED) and close_to(image.getpixel((350, 50)), BLUE)


def test_process_brand_image_applies_exif_orientation_and_drops_metadata() -> None:
    # given a landscape photo stored sideways: EXIF says rotate 90 degrees clockwise to show it
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCamera"
    data = encode(drawing((900, 700), "RGB"), "JPEG", exif=exif.tobytes(), quality=95)
    # when
    result = process_brand_image(data, kind="login_background")
    # then it is stored upright, the stored left (red) now on top, with no EXIF left
    image = decoded(result)
    assert (result.width, result.height) == (700, 900)
    assert close_to(image.getpixel((350, 50)), RED) and close_to(image.getpixel((350, 850)), BLUE)
    assert not image.getexif()
    assert b"SecretCamera" not in result.content and b"Exif" not in result.content


def test_process_brand_image_drops_png_text_chunks() -> None:
    info = PngInfo()
    info.add_text("Comment", "made-by-someone-private")
    result = process_brand_image(encode(drawing((64, 64)), "PNG", pnginfo=info), kind="icon")
    assert b"made-by-someone-private" not in result.content


def test_process_brand_image_converts_cmyk_jpeg_to_rgb() -> None:
    # given a print-ready CMYK JPEG of pure red (no cyan, full magenta and yellow)
    data = encode(Image.new("CMYK", (800, 600), (0, 255, 255, 0)), "JPEG")
    # when
    result = process_brand_image(data, kind="login_background")
    # then
    image = decoded(result)
    assert image.mode == "RGB"
    assert close_to(image.getpixel((400, 300)), (255, 0, 0), tolerance=50)


def test_process_brand_image_keeps_the_first_frame_of_an_animation() -> None:
    # given an animated WebP: red, then blue
    frames = [Image.new("RGB", (128, 128), RED), Image.new("RGB", (128, 128), BLUE)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    # when
    result = process_brand_image(data, kind="icon")
    # then
    image = decoded(result)
    assert getattr(image, "n_frames", 1) == 1
    assert close_to(image.getpixel((64, 64)), RED)


def test_process_brand_image_removes_a_payload_appended_after_the_image() -> None:
    # given a PNG followed by a page that a sniffing browser could run
    payload = b"<html><script>alert(document.cookie)</script></html>"
    data = encode(drawing((64, 64)), "PNG") + payload
    # when
    result = process_brand_image(data, kind="icon")
    # then
    assert b"<script" not in result.content and b"alert" not in result.content and b"html" not in result.content
    assert result.content.endswith(b"IEND\xaeB`\x82")


def test_process_brand_image_keeps_transparency_of_a_palette_png() -> None:
    picture = Image.new("P", (64, 64), 0)
    picture.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    ImageDraw.Draw(picture).rectangle((32, 0, 64, 64), fill=1)
    result = process_brand_image(encode(picture, "PNG", transparency=0), kind="icon")
    image = decoded(result).convert("RGBA")
    assert image.getpixel((10, 10))[3] == 0
    assert image.getpixel((50, 10)) == (0, 0, 255, 255)


def test_process_brand_image_scales_sixteen_bit_grey_instead_of_clipping() -> None:
    result = process_brand_image(encode(Image.new("I;16", (64, 64), 32768), "PNG"), kind="icon")
    assert abs(decoded(result).convert("L").getpixel((5, 5)) - 128) <= 2


@pytest.mark.parametrize(
    ("kind", "size", "stored"),
    [
        ("logo", (3000, 500), (1024, 171)),
        ("logo_dark", (800, 400), (512, 256)),
        ("logo", (300, 40), (300, 40)),
        ("icon", (2048, 2048), (1024, 1024)),
        ("icon_dark", (300, 200), (300, 200)),
        ("login_background", (4000, 3000), (2560, 1920)),
        ("login_background", (1200, 5000), (614, 2560)),
    ],
)
def test_process_brand_image_scales_down_to_the_kinds_maximum(
    kind: str, size: tuple[int, int], stored: tuple[int, int]
) -> None:
    result = process_brand_image(encode(Image.new("RGB", size, RED), "PNG"), kind=kind)
    assert (result.width, result.height) == stored == decoded(result).size


def test_process_brand_image_is_deterministic() -> None:
    data = encode(drawing((500, 300), "RGB"), "JPEG")
    assert process_brand_image(data, kind="logo") == process_brand_image(data, kind="logo")


# ---------------------------------------------------------------------------------------------
# Refused
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (encode(Image.new("RGB", (64, 64), RED), "GIF"), "a GIF image"),
        (encode(Image.new("RGB", (64, 64), RED), "BMP"), "a BMP image"),
        (encode(Image.new("RGB", (64, 64), RED), "TIFF"), "a TIFF image"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "an HTML or XML document"),
        (b"<html><body>hello</body></html>", "an HTML or XML document"),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "a PDF document"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(200), "a program"),
        (b"MZ\x90\x00" + bytes(200), "a program"),
        (b"PK\x03\x04" + bytes(100), "a zip archive"),
        (b"This is a text file, named logo.png by whoever sent it.\n", "not an image"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "a HEIC photo"),
    ],
)
def test_process_brand_image_refuses_other_types_by_their_content(data: bytes, found: str) -> None:
    error = rejected(data)
    assert error.code == "unsupported_type"
    assert found in error.message
    assert "PNG, JPEG, WebP or SVG" in error.message


@pytest.mark.parametrize(("kind", "limit"), [("logo", 2 * MB), ("icon", 2 * MB), ("login_background", 8 * MB)])
def test_process_brand_image_refuses_too_many_bytes_before_reading_them(kind: str, limit: int) -> None:
    # given a file one byte over the kind's limit (whatever it holds)
    data = encode(Image.new("RGB", (64, 64)), "PNG")
    data += bytes(limit + 1 - len(data))
    # when / then
    assert KINDS[kind].max_bytes == limit
    error = rejected(data, kind)
    assert error.code == "too_large"
    assert f"{limit // MB} MB" in error.message


@pytest.mark.parametrize("size", [(30000, 30000), (7000, 7000), (12000, 12000), (15000, 15000)])
def test_process_brand_image_refuses_a_decompression_bomb_before_decoding(size: tuple[int, int]) -> None:
    # given a few hundred bytes declaring more pixels than are accepted (Pillow's own limit warns
    # at 89 million and refuses at 179 million; 49 million is below both)
    data = png_declaring(*size)
    assert len(data) < 2000 and size[0] * size[1] > MAX_PIXELS
    # when
    started = time.perf_counter()
    error = rejected(data, "login_background")
    # then
    assert error.code == "too_many_pixels"
    assert time.perf_counter() - started < 0.5


def test_process_brand_image_a_declared_size_that_fits_is_then_decoded() -> None:
    # given the same truncated construction at a size that is accepted: now decoding is tried
    error = rejected(png_declaring(2000, 2000), "login_background")
    assert error.code == "corrupt"


@pytest.mark.parametrize(
    ("size", "code"), [((MAX_SIDE + 1, 100), "too_large_dimensions"), ((100, 9000), "too_large_dimensions")]
)
def test_process_brand_image_refuses_a_side_longer_than_the_maximum(size: tuple[int, int], code: str) -> None:
    assert rejected(png_declaring(*size)).code == code


@pytest.mark.parametrize(
    ("kind", "size"),
    [("logo", (1, 1)), ("logo", (400, 15)), ("icon", (63, 64)), ("icon", (1, 1)), ("login_background", (639, 400))],
)
def test_process_brand_image_refuses_too_small(kind: str, size: tuple[int, int]) -> None:
    error = rejected(encode(Image.new("RGB", size, RED), "PNG"), kind)
    assert error.code == "too_small"
    assert f"{size[0]} x {size[1]}" in error.message


def test_process_brand_image_refuses_an_icon_that_is_far_from_square() -> None:
    error = rejected(encode(Image.new("RGB", (400, 100), RED), "PNG"), "icon")
    assert error.code == "not_square"


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_process_brand_image_refuses_a_truncated_image(image_format: str) -> None:
    # given a real image (noisy, so it does not compress to nothing), cut in half
    picture = Image.effect_noise((256, 256), 64).convert("RGB")
    data = encode(picture, image_format)
    # when / then
    assert rejected(data[: len(data) // 2], "icon").code == "corrupt"


def test_process_brand_image_refuses_a_png_signature_with_garbage() -> None:
    assert rejected(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20).code == "corrupt"


def test_process_brand_image_refuses_an_empty_file_and_an_unknown_kind() -> None:
    assert rejected(b"").code == "corrupt"
    with pytest.raises(ValueError) as caught:
        process_brand_image(encode(Image.new("RGB", (64, 64)), "PNG"), kind="banner")
    assert not isinstance(caught.value, ImageRejected)


# ---------------------------------------------------------------------------------------------
# Favicons and the letter icon
# ---------------------------------------------------------------------------------------------


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


def test_kinds_are_the_documented_ones() -> None:
    assert set(KINDS) == {"logo", "logo_dark", "icon", "icon_dark", "login_background"}
    assert images.MAX_PIXELS == 40_000_000 and images.MAX_SIDE == 8192


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
