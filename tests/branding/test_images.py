"""branding.images: brand images are judged by their bytes, refused with a reason, and re-encoded
before they are stored. Every image is made here with Pillow; no database."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from branding import images
from branding.image_errors import ImageRejected
from branding.images import KINDS, MAX_PIXELS, MAX_SIDE, ProcessedImage, process_brand_image
from tests.support.branding import BLUE, RED, drawing, encode, png_declaring

MB = 1024 * 1024


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


def test_kinds_are_the_documented_ones() -> None:
    assert set(KINDS) == {"logo", "logo_dark", "icon", "icon_dark", "login_background"}
    assert images.MAX_PIXELS == 40_000_000 and images.MAX_SIDE == 8192


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
