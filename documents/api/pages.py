"""One page of a document's text by its number, for `/api/documents/<id>/pages/<number>/`, and the
checks on a page number a person typed or a link carried.

A number that is not one answers 400; a page past the end (of the page count once it is known)
answers 404 saying how many pages there are; a page that is still being read answers 404 saying
so, since it may come. Precondition: the connection is set to the tenant's schema and the
document has passed documents.access.
"""

from __future__ import annotations

from typing import Any

from config.api.errors import Refused
from documents.models import Document, DocumentPage

# Far past any PDF the extraction accepts; only keeps the database from being asked for 10**30.
LARGEST_PAGE_NUMBER = 10**6


def page_number(raw: str) -> int:
    """`raw` as a 1-based page number, or 400 in words."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise Refused(400, f"“{raw[:20]}” is not a page number: use a whole number like 1 or 12.", "invalid")
    number = int(text)
    if number < 1:
        raise Refused(400, "Page numbers start at 1.", "invalid")
    return min(number, LARGEST_PAGE_NUMBER)


def past_the_end(document: Document, number: int) -> Refused | None:
    """404 for a page the document does not have, once its page count is known."""
    if document.page_count and number > document.page_count:
        pages = f"{document.page_count} page{'' if document.page_count == 1 else 's'}"
        return Refused(404, f"This document has {pages}; there is no page {number}.", "page_not_found")
    return None


def text_page(document: Document, number: int) -> DocumentPage:
    """The stored page `number`, or 404 saying why there is none."""
    refused = past_the_end(document, number)
    if refused is not None:
        raise refused
    page = DocumentPage.objects.filter(document=document, number=number).first()
    if page is not None:
        return page
    if not document.is_finished:
        raise Refused(404, f"Page {number} has not been read yet; try again in a moment.", "page_not_ready")
    raise Refused(404, f"This document has no text for page {number}.", "page_not_found")


def page_payload(page: DocumentPage) -> dict[str, Any]:
    """A page as the API shows it; `ocr` says its text was read from the page's image."""
    return {
        "number": page.number,
        "text": page.text,
        "error": page.error or None,
        "ocr": page.ocr,
    }
