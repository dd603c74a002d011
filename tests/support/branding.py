"""Brand images and their upload and publication through the API."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from PIL import Image, ImageDraw

from tests.support.chat_api import Person


def png(width: int = 256, height: int = 256, colour: str = "#0f766e", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG", **save)
    return out.getvalue()


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


def upload(who: Person, kind: str, content: bytes, name: str = "image.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return who.api.http.post(
        "/api/brand/draft/assets/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        **who.api.headers,
    )


Capture = Callable[..., AbstractContextManager[object]]


def publish(who: Person, on_commit: Capture) -> Any:
    with on_commit(execute=True):
        return who.post("/api/brand/publish/")


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header declaring width x height grey pixels, with only one row of image data:
    decoding it would fail as truncated, so being refused for its size proves nothing was decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(b"\x00" + bytes(min(width, 1024)))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", row) + png_chunk(b"IEND", b"")


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40">'

CLEAN_LOGO = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a drawing program -->
{SVG_OPEN}
  <title>Acme</title>
  <defs>
    <linearGradient id="g" x1="0" x2="1">
      <stop offset="0" stop-color="#4f46e5"/><stop offset="1" stop-color="#0ea5e9"/>
    </linearGradient>
    <clipPath id="c"><rect width="120" height="40" rx="6"/></clipPath>
    <path id="mark" d="M4 36 L20 4 L36 36 Z"/>
  </defs>
  <style>.wordmark {{ fill: #111827 }}</style>
  <g clip-path="url(#c)">
    <rect width="120" height="40" fill="url(#g)" style="opacity: .9"/>
    <use href="#mark" fill="#ffffff"/>
    <use xlink:href="#mark" x="2" fill="none" stroke="#ffffff"/>
    <a href="#mark"><rect class="wordmark" x="44" y="12" width="70" height="16"/></a>
  </g>
</svg>"""


def svg(body: str, *, root: str = SVG_OPEN) -> bytes:
    return f"{root}{body}</svg>".encode()
