"""PDFs made by the tests for OCR: scanned pages (text drawn into an image with Pillow, no text
layer) and typed pages (a text layer in Helvetica), in any order, written by a small PDF writer of
our own so that nothing but Pillow is needed.

Scanned pages are small (a few lines on a card-sized page) so that Tesseract reads each in well
under a second. The words a test looks for come from `scan_word`: made-up but pronounceable
(consonant, vowel, four times), which Tesseract read right 120 times out of 120 here, where
random letters were misread one time in seven (q/g, b/o, c/e).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CONSONANTS = "bdfkmprstvz"
VOWELS = "aeiou"
POINTS_PER_INCH = 72


def scan_word(rng: random.Random | None = None, syllables: int = 4) -> str:
    """A word no dictionary has (55 ** 4, nine million of them), for finding one scan and no other."""
    rng = rng or random.Random()  # nosec B311  # test data, not a secret
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))


@dataclass(frozen=True)
class Scanned:
    """A page that is one image of `lines` (a scan): no text layer."""

    lines: list[str]
    dpi: int = 300
    width_in: float = 5.0
    font_pt: int = 16


@dataclass(frozen=True)
class Typed:
    """A page with `lines` in its text layer."""

    lines: list[str]


def scan_image(page: Scanned) -> Image.Image:
    """The page's picture: black text on white, grey 8-bit, like a scanner's output."""
    font_px = page.font_pt * page.dpi // POINTS_PER_INCH
    line_px = font_px * 3 // 2
    margin = page.dpi // 4
    size = (int(page.width_in * page.dpi), 2 * margin + line_px * max(len(page.lines), 1))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_px)
    for index, line in enumerate(page.lines):
        draw.text((margin, margin + index * line_px), line, fill=0, font=font)
    return image


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[Scanned | Typed]) -> Path:
    """A PDF of `pages` at `path`: scanned pages as JPEG images sized to their dpi, typed pages
    on US Letter in Helvetica (a standard font: nothing embedded)."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(header: str, data: bytes) -> bytes:
        return f"<< {header} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for page in pages:
        if isinstance(page, Scanned):
            image = scan_image(page)
            jpeg = BytesIO()
            image.save(jpeg, "JPEG", quality=90)
            width = image.width * POINTS_PER_INCH / page.dpi
            height = image.height * POINTS_PER_INCH / page.dpi
            picture = add(
                stream(
                    f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                    "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
                    jpeg.getvalue(),
                )
            )
            content = f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Scan Do Q".encode()
            resources = f"<< /XObject << /Scan {picture} 0 R >> >>"
        else:
            width, height = 612.0, 792.0
            shown = " ".join(f"({_escape(line)}) Tj 0 -20 Td" for line in page.lines)
            content = f"BT /F1 14 Tf 72 720 Td {shown} ET".encode("latin-1")
            resources = f"<< /Font << /F1 {font} 0 R >> >>"
        contents = add(stream("", content))
        kids.append(
            add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
                f"/Resources {resources} /Contents {contents} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    objects[tree - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()

    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path
