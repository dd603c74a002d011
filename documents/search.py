"""Full-text search over documents' pages, on each page's stored `search_vector` (GIN index).

Only pages of documents the person may read (documents.access.readable_documents) are ever
considered, in the schema the connection is set to. A hit is one page: its document, its number,
and a highlighted snippet; ranks are normalised by the page's length (ts_rank_cd flag 1), so a
long page does not outrank a short one merely by repeating a word, and are comparable with the
ranks of message hits (chat.search_all merges the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from accounts.models import User
from chat.models import SEARCH_CONFIG, Room
from chat.search import HEADLINE_MARKERS, HEADLINE_OPTIONS, MAX_SEARCH_LENGTH, marked
from documents.access import readable_documents
from documents.models import Document
from documents.payloads import document_payload
from documents.selectors import in_room


@dataclass(frozen=True)
class PageCursor:
    """After (rank, page id) in rank order."""

    rank: float
    id: int

    def to_json(self) -> list[float | int]:
        return [self.rank, self.id]

    @classmethod
    def from_json(cls, raw: object) -> PageCursor:
        """Raise ValueError for anything `to_json` did not produce."""
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValueError("cursor documents")
        rank, pk = raw
        if not isinstance(rank, int | float) or isinstance(rank, bool) or not 0 <= rank < 1e30:
            raise ValueError("cursor rank")
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            raise ValueError("cursor id")
        return cls(rank=float(rank), id=pk)


@dataclass(frozen=True)
class PageHit:
    """A chat.attachments.AttachmentHit: chat's search box lists it with message hits."""

    document: Document
    page: int
    # HTML-escaped text with the matched words in <mark></mark>.
    snippet: str
    rank: float
    page_id: int

    def after(self) -> list[float | int]:
        return PageCursor(rank=self.rank, id=self.page_id).to_json()

    def result(self) -> dict[str, Any]:
        return {
            "type": "document",
            "document": document_payload(self.document),
            "page": self.page,
            "snippet": self.snippet,
            "rank": self.rank,
        }


@dataclass(frozen=True)
class PageHits:
    hits: list[PageHit]
    # After the last hit, when there may be more.
    next: PageCursor | None


def search_documents(
    user: User,
    q: str,
    *,
    room: Room | None = None,
    uploader: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    limit: int = 20,
    cursor: PageCursor | None = None,
) -> PageHits:
    """Pages matching `q` (web-search syntax) of documents `user` may read, best first. `room`
    (readable: the caller checked) keeps to documents shared there; `after` and `before` bound
    the upload time ([after, before))."""
    q = q[:MAX_SEARCH_LENGTH].replace("\x00", " ").strip()
    if not q:
        return PageHits(hits=[], next=None)
    documents = readable_documents(user)
    if room is not None:
        documents = in_room(documents, room)
    if uploader is not None:
        documents = documents.filter(uploader_id=uploader)
    if after is not None:
        documents = documents.filter(created_at__gte=after)
    if before is not None:
        documents = documents.filter(created_at__lt=before)
    documents_sql, documents_params = documents.values("pk").query.sql_with_params()
    keyset, keyset_params = "", []
    if cursor is not None:
        keyset = "AND (r.rank, r.id) < (%s::real, %s)"
        keyset_params = [repr(cursor.rank), cursor.id]
    # Fixed fragments and Django-compiled SQL only; every value is a parameter, in this order.
    sql = (
        "WITH query AS (SELECT websearch_to_tsquery(%s::regconfig, %s) AS tsq) "  # noqa: S608  # nosec B608
        "SELECT r.id, r.document_id, r.number, r.rank, "
        "  ts_headline(%s::regconfig, translate(b.text, %s, ''), query.tsq, %s) "
        "FROM ("
        "  SELECT p.id, p.document_id, p.number, ts_rank_cd(p.search_vector, query.tsq, 1) AS rank "
        "  FROM documents_documentpage p, query "
        "  WHERE numnode(query.tsq) > 0 AND p.search_vector @@ query.tsq "
        f"   AND p.document_id IN ({documents_sql})"
        ") r JOIN documents_documentpage b ON b.id = r.id, query "
        f"WHERE true {keyset} "
        "ORDER BY r.rank DESC, r.id DESC LIMIT %s"
    )
    params = [
        SEARCH_CONFIG,
        q,
        SEARCH_CONFIG,
        HEADLINE_MARKERS,
        HEADLINE_OPTIONS,
        *documents_params,
        *keyset_params,
        limit + 1,
    ]
    with connection.cursor() as db:
        db.execute(sql, params)
        rows = [
            (int(pk), int(doc), int(number), float(rank), headline) for pk, doc, number, rank, headline in db.fetchall()
        ]
    page, more = rows[:limit], len(rows) > limit
    found = {d.pk: d for d in Document.objects.select_related("uploader").filter(pk__in={r[1] for r in page})}
    hits = [
        PageHit(document=found[doc], page=number, snippet=marked(headline), rank=rank, page_id=pk)
        for pk, doc, number, rank, headline in page
        # A document deleted between the two queries is left out.
        if doc in found
    ]
    last = page[-1] if page else None
    return PageHits(hits=hits, next=PageCursor(rank=last[3], id=last[0]) if more and last else None)
