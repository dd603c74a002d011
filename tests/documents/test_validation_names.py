"""documents.validation's names: the name people see, cleaned of paths, invisible and control
characters and kept within 255 characters, and the checks made on it rather than on the raw name.

No database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from documents.validation import UploadRejected
from documents.validation.names import display_name
from tests.support.files import ELF_BYTES, PDF_BYTES
from tests.support.validation import check, refused

NAMES = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\win.ini", "win.ini"),
    ("/etc/shadow.txt", "shadow.txt"),
    ("C:\\Users\\ann\\Desktop\\plan.docx", "plan.docx"),
    ("\\\\server\\share\\notes.txt", "notes.txt"),
    ("report\x00.pdf", "report.pdf"),
    ("report.pdf\x00.exe", "report.pdf.exe"),
    ("evil\u202efdp.exe", "evilfdp.exe"),
    ("invoice\u2066\u2069\u200e\u200f\ufeff.pdf", "invoice.pdf"),
    ("tag\U000e0041\U000e0042.txt", "tag.txt"),
    ("line\nbreak\r\ttab.txt", "line break tab.txt"),
    ("  ...hidden.pdf...  ", "hidden.pdf"),
    ("two   spaces.pdf", "two spaces.pdf"),
    ("Résumé.pdf", "Résumé.pdf"),
    ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),
    ("東京の報告書.pdf", "東京の報告書.pdf"),
    ("تقرير.pdf", "تقرير.pdf"),
    ("🎉 party 👨\u200d👩\u200d👧.png", "🎉 party 👨\u200d👩\u200d👧.png"),
    ("می\u200cخواهم.txt", "می\u200cخواهم.txt"),  # noqa: RUF001  # Persian needs its non-joiner
    ("archive.tar.gz", "archive.tar.gz"),
    ("no extension", "no extension"),
    ("", "document"),
    ("..", "document"),
    ("../", "document"),
    ("\u202e\u202e", "document"),
    (".pdf", "document.pdf"),
    ("...pdf", "document.pdf"),
    ("\x00.txt", "document.txt"),
]


@pytest.mark.parametrize(("raw", "shown"), NAMES, ids=[repr(case[0]) for case in NAMES])
def test_display_name_is_the_cleaned_last_component(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


@pytest.mark.parametrize("stem", ["a", "é", "東", "🎉"])
def test_overlong_names_keep_their_extension_within_255_characters(stem: str) -> None:
    shown = display_name(stem * 1000 + ".pdf")

    assert shown == stem * 251 + ".pdf"


def test_overlong_names_are_measured_after_composing_accents() -> None:
    assert display_name("e\u0301" * 1000 + ".txt") == "é" * 251 + ".txt"


def test_overlong_extension_is_not_kept_as_one() -> None:
    shown = display_name("name." + "x" * 1000)

    assert len(shown) == 255 and shown.startswith("name.")


def test_display_name_is_idempotent() -> None:
    for raw, _ in NAMES:
        assert display_name(display_name(raw)) == display_name(raw)


def test_checked_name_is_the_display_name() -> None:
    checked = check(PDF_BYTES, "../../Ünïcödé 報告 🎉.pdf")

    assert checked.name == "Ünïcödé 報告 🎉.pdf"


def test_checked_name_of_an_overlong_unicode_name_fits_the_model() -> None:
    checked = check(PDF_BYTES, "報" * 1000 + ".pdf")

    assert len(checked.name) == 255 and checked.name.endswith(".pdf")


def test_extension_is_judged_after_cleaning() -> None:
    # A NUL meant to cut the name at ".pdf" for C code does not hide ".exe".
    assert refused(PDF_BYTES, "report.pdf\x00.exe").code == "unsupported_type"
    # Nor does a trailing dot or space, which Windows drops when saving.
    assert refused(ELF_BYTES, "report.pdf. ").code == "type_mismatch"


def test_rejection_is_an_exception_carrying_status_code_and_detail() -> None:
    rejection = UploadRejected(415, "unsupported_type", "No.")

    assert (rejection.status, rejection.code, rejection.detail, str(rejection)) == (
        415,
        "unsupported_type",
        "No.",
        "No.",
    )


def _all_names() -> Iterator[str]:
    yield from (raw for raw, _ in NAMES)


def test_display_name_never_keeps_separators_or_invisible_characters() -> None:
    for raw in _all_names():
        shown = display_name(raw)
        assert shown and "/" not in shown and "\\" not in shown
        assert not any(char in shown for char in "\x00\u202e\u2066\u200e\ufeff\n\r\t")
