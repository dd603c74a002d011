"""The PDF corpus (pdfminer.six's samples, read in place from ../shared/corpus/pdf or $CORPUS_DIR)
and PDFs built from it for tests and benchmarks.

pdfminer has no writer, so `PdfWriter` writes a PDF by hand: pages whose content streams,
fonts and other resources are copied object by object from corpus pages (streams keep their
original encoded bytes and filters), and a decompression bomb.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, PDFStream
from pdfminer.psparser import PSKeyword, PSLiteral

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus" / "pdf"))


def corpus_path(name: str) -> Path:
    path = CORPUS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{name} is not in the PDF corpus at {CORPUS_DIR}")
    return path


def corpus_names() -> list[str]:
    return sorted(path.name for path in CORPUS_DIR.glob("*.pdf"))


# What each corpus file gives, decided from what pdfminer.six 20260107 does with it:
# "ready" (the text equals pdfminer's own, page by page) or the Document.Failure code.
EXPECTED = {
    "contrib_issue-1113-evil-xobjects.pdf": "ready",  # a Form XObject drawing itself: pdfminer refuses the loop
    "contrib_issue-449-vertical.pdf": "ready",  # vertical CJK writing
    "contrib_issue-886-xref-stream-widths.pdf": "ready",
    "contrib_matplotlib.pdf": "ready",
    "contrib_pagelabels.pdf": "ready",
    "encryption_aes-256.pdf": "encrypted",  # user password "foo"
    "encryption_base.pdf": "ready",  # encrypted with an empty user password: anyone may open it
    "encryption_rc4-128.pdf": "encrypted",
    "font-size-test.pdf": "ready",
    "jo.pdf": "ready",
    "nonfree_dmca.pdf": "ready",
    "nonfree_i1040nr.pdf": "ready",  # the IRS 1040-NR instructions, 50 dense pages
    "nonfree_nlp2004slides.pdf": "ready",
    "scancode_patchelf.pdf": "no_text",  # drawn with paths only
    "simple1.pdf": "ready",
    "simple2.pdf": "no_text",  # an empty page
    "simple3.pdf": "ready",
    "simple4.pdf": "ready",
    "simple5.pdf": "ready",
    # Its Flate stream has a bad checksum; pdfminer inflates it anyway (decompress_corrupted)
    # and every word of the text is there, so it is readable.
    "zen_of_python_corrupted.pdf": "ready",
}

# Pages that extract quickly (0.025 s each on average), copied over and over into big documents.
BIG_DOCUMENT_SOURCES = [
    "contrib_pagelabels.pdf",
    "font-size-test.pdf",
    "simple1.pdf",
    "simple3.pdf",
    "simple5.pdf",
    "jo.pdf",
    "zen_of_python_corrupted.pdf",
    "nonfree_dmca.pdf",
]


def pdfminer_page_texts(path: Path, numbers: list[int] | None = None) -> list[str]:
    """pdfminer's own text of each page (1-based numbers; all pages when None)."""
    if numbers is None:
        with path.open("rb") as fp:
            numbers = list(range(1, sum(1 for _ in PDFPage.get_pages(fp)) + 1))
    return [extract_text(path, page_numbers=[n - 1]) for n in numbers]


@functools.cache
def _texts_by_digest(digest: str, path: Path) -> tuple[str, ...]:
    with path.open("rb") as fp:
        page_count = sum(1 for _ in PDFPage.get_pages(fp))
    # pdfminer's text of a document is its pages' texts one after the other, each ending with a
    # form feed; one pass is linear, where a call per page walks the page tree every time.
    whole = extract_text(path)
    pages = [part + "\f" for part in whole.split("\f")[:-1]]
    if len(pages) == page_count and "".join(pages) == whole:
        return tuple(pages)
    return tuple(pdfminer_page_texts(path))  # some page holds a form feed of its own


def reference_texts(path: Path) -> tuple[str, ...]:
    """pdfminer's own text of each page, computed once per distinct file content in a run."""
    return _texts_by_digest(hashlib.sha256(path.read_bytes()).hexdigest(), path)


# --- writing PDFs -------------------------------------------------------------------------------

NAME_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+*:")


def pdf_name(name: str | bytes) -> bytes:
    raw = name.encode("utf-8") if isinstance(name, str) else name
    return b"/" + b"".join(bytes([c]) if c in NAME_SAFE else b"#%02X" % c for c in raw)


@dataclass
class PdfWriter:
    """Objects numbered in order of allocation; `write` adds the page tree, catalog and xref."""

    objects: dict[int, bytes] = field(default_factory=dict)
    pages: list[int] = field(default_factory=list)
    _copied: dict[tuple[int, int], int] = field(default_factory=dict)
    _next: int = 3  # 1: catalog, 2: page tree

    def allocate(self) -> int:
        number = self._next
        self._next += 1
        return number

    def add(self, body: bytes) -> int:
        number = self.allocate()
        self.objects[number] = body
        return number

    def stream(self, attrs: bytes, data: bytes) -> bytes:
        return b"<<" + attrs + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"

    def serialize(self, source: int, value: Any) -> bytes:
        """`value` from the PDF `source` (any id) as PDF syntax; referenced objects are copied once."""
        if value is None:
            return b"null"
        if value is True or value is False:
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, float):
            return (b"%.6f" % value).rstrip(b"0").rstrip(b".") or b"0"
        if isinstance(value, bytes):
            return b"<" + value.hex().encode() + b">"
        if isinstance(value, str):
            return b"<" + value.encode("latin-1").hex().encode() + b">"
        if isinstance(value, PSLiteral):
            return pdf_name(value.name)
        if isinstance(value, PSKeyword):
            return value.name if isinstance(value.name, bytes) else str(value.name).encode()
        if isinstance(value, list | tuple):
            return b"[" + b" ".join(self.serialize(source, item) for item in value) + b"]"
        if isinstance(value, dict):
            return self._dict(source, value)
        if isinstance(value, PDFObjRef):
            return b"%d 0 R" % self.copy(source, value)
        if isinstance(value, PDFStream):
            raise TypeError("a stream must be referenced, not inlined")
        raise TypeError(f"cannot write {value!r}")

    def _dict(self, source: int, value: dict[Any, Any], skip: tuple[str, ...] = ()) -> bytes:
        items = [
            pdf_name(str(key)) + b" " + self.serialize(source, item) for key, item in value.items() if key not in skip
        ]
        return b"<<" + b" ".join(items) + b">>"

    def copy(self, source: int, ref: PDFObjRef) -> int:
        """Copy the object `ref` points to (and everything it references) into this PDF."""
        key = (source, ref.objid)
        if key in self._copied:
            return self._copied[key]
        number = self.allocate()
        self._copied[key] = number  # before recursing: objects may reference each other
        obj = ref.resolve()
        if isinstance(obj, PDFStream):
            assert obj.rawdata is not None, "copy streams before pdfminer decodes them"
            data = obj.rawdata
            if obj.decipher is not None:
                # From a PDF encrypted with an empty user password: written out decrypted (its
                # strings already are, pdfminer decrypts them as it parses).
                assert obj.objid is not None and obj.genno is not None
                data = obj.decipher(obj.objid, obj.genno, data, obj.attrs)
            attrs = self._dict(source, obj.attrs, skip=("Length",))[2:-2]
            self.objects[number] = self.stream(attrs, data)
        else:
            self.objects[number] = self.serialize(source, obj)
        return number

    def copy_page(self, source: int, page: PDFPage) -> None:
        contents = page.attrs.get("Contents")
        resources = page.attrs.get("Resources", {})
        box = b" ".join(self.serialize(source, float(v)) for v in page.mediabox)
        body = b"<</Type /Page /Parent 2 0 R /MediaBox [" + box + b"]"
        body += b" /Resources " + self.serialize(source, resources)
        if contents is not None:
            body += b" /Contents " + self.serialize(source, contents)
        if page.rotate:
            body += b" /Rotate %d" % page.rotate
        self.pages.append(self.add(body + b">>"))

    def add_page(self, content: int, resources: bytes = b"<<>>") -> None:
        self.pages.append(
            self.add(
                b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
                + resources
                + b" /Contents %d 0 R>>" % content
            )
        )

    def write(self, path: Path, *, title: str = "") -> Path:
        kids = b" ".join(b"%d 0 R" % page for page in self.pages)
        self.objects[1] = b"<</Type /Catalog /Pages 2 0 R>>"
        self.objects[2] = b"<</Type /Pages /Kids [" + kids + b"] /Count %d>>" % len(self.pages)
        info = self.add(b"<</Title <" + ("\ufeff" + title).encode("utf-16-be").hex().encode() + b">>>")
        with path.open("wb") as out:
            out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
            offsets: dict[int, int] = {}
            for number in sorted(self.objects):
                offsets[number] = out.tell()
                out.write(b"%d 0 obj\n" % number + self.objects[number] + b"\nendobj\n")
            xref = out.tell()
            size = max(self.objects) + 1
            out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
            for number in range(1, size):
                if number in offsets:
                    out.write(b"%010d 00000 n \n" % offsets[number])
                else:
                    out.write(b"0000000000 65535 f \n")
            out.write(b"trailer\n<</Size %d /Root 1 0 R /Info %d 0 R>>\n" % (size, info))
            out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
        return path


def corpus_pages(names: list[str]) -> Iterator[tuple[int, PDFPage]]:
    """(source id, page) for every page of the named corpus files (read into memory: pages
    resolve their objects lazily)."""
    for source, name in enumerate(names):
        document = PDFDocument(PDFParser(io.BytesIO(corpus_path(name).read_bytes())))
        for page in PDFPage.create_pages(document):
            yield source, page


def many_pages_pdf(path: Path, page_count: int, names: list[str] | None = None) -> Path:
    """A PDF of `page_count` pages copied from the corpus files `names`, round and round.
    Each source object is written once, however often its page repeats."""
    writer = PdfWriter()
    sources = list(corpus_pages(names or BIG_DOCUMENT_SOURCES))
    for index in range(page_count):
        source, page = sources[index % len(sources)]
        writer.copy_page(source, page)
    return writer.write(path, title=f"{page_count} corpus pages")


def pdf_from_pages(path: Path, pages: list[tuple[str, int]]) -> Path:
    """A PDF of the given (corpus file, 1-based page number) pages, in that order."""
    names = sorted({name for name, _ in pages})
    by_key: dict[tuple[str, int], tuple[int, PDFPage]] = {}
    for name in names:
        for number, (_, page) in enumerate(corpus_pages([name]), start=1):
            by_key[(name, number)] = (names.index(name), page)
    writer = PdfWriter()
    for key in pages:
        source, page = by_key[key]
        writer.copy_page(source, page)
    return writer.write(path)


SEVERAL_HUNDRED = 320


def several_hundred_pages(tmp_path: Path) -> Path:
    """A 320-page PDF built from readable corpus pages (about 8 s of pdfminer in all)."""
    return many_pages_pdf(tmp_path / "several-hundred-pages.pdf", SEVERAL_HUNDRED)


BOMB_BYTES = 2 * 1024**3 + 64 * 1024**2
CHUNK = b" " * (16 * 1024**2)


def decompression_bomb_pdf(path: Path, inflated_bytes: int = BOMB_BYTES) -> Path:
    """A valid one-page PDF whose content stream inflates to `inflated_bytes` (> 2 GB) of
    spaces. The spaces are deflated twice (/Filter [/FlateDecode /FlateDecode]), streamed
    chunk by chunk, so the file is a few kilobytes and building it never holds the whole."""
    data = _bomb_stream(inflated_bytes)
    writer = PdfWriter()
    content = writer.add(writer.stream(b"/Filter [/FlateDecode /FlateDecode]", data))
    writer.add_page(content)
    return writer.write(path, title="bomb")


@functools.cache
def _bomb_stream(inflated_bytes: int) -> bytes:
    inner = zlib.compressobj(1)  # fast; the outer pass squeezes what it leaves
    outer = zlib.compressobj(9)
    parts: list[bytes] = []
    remaining = inflated_bytes
    while remaining > 0:
        chunk = CHUNK if remaining >= len(CHUNK) else CHUNK[:remaining]
        remaining -= len(chunk)
        parts.append(outer.compress(inner.compress(chunk)))
    parts.append(outer.compress(inner.flush()))
    parts.append(outer.flush())
    return b"".join(parts)
