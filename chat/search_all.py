"""One search box over messages and documents: both searches, merged by rank.

Each kind keeps its own keyset position, and one cursor carries both: a page takes the best
`limit` hits of the two, and each kind's position moves past the hits of it that were shown, so
no hit is skipped or repeated across pages. Ranks are comparable: both come from ts_rank_cd over
the same text-search configuration (documents.search normalises pages by length).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from accounts.models import User
from chat.models import Room
from chat.search import SearchCursor, SearchHit, search_messages
from documents.search import PageCursor, PageHit, search_documents

Kind = Literal["all", "messages", "documents"]
# A kind that has no more hits.
DONE = "done"


@dataclass(frozen=True)
class AllCursor:
    """Each kind's position: None to start from the top, DONE when it has no more hits."""

    messages: SearchCursor | str | None
    documents: PageCursor | str | None

    def encode(self) -> str:
        messages = self.messages.encode() if isinstance(self.messages, SearchCursor) else self.messages
        documents = (
            [self.documents.rank, self.documents.id] if isinstance(self.documents, PageCursor) else self.documents
        )
        raw = json.dumps({"m": messages, "d": documents}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> AllCursor:
        """Raise ValueError for anything this module did not produce."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
            raise ValueError("cursor encoding") from exc
        if not isinstance(raw, dict):
            raise ValueError("cursor shape")
        messages, documents = raw.get("m"), raw.get("d")
        if isinstance(messages, str) and messages != DONE:
            messages = SearchCursor.decode(messages)
        elif messages not in (None, DONE):
            raise ValueError("cursor messages")
        if isinstance(documents, list):
            if len(documents) != 2:
                raise ValueError("cursor documents")
            rank, pk = documents
            if not isinstance(rank, int | float) or isinstance(rank, bool) or not 0 <= rank < 1e30:
                raise ValueError("cursor rank")
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
                raise ValueError("cursor id")
            documents = PageCursor(rank=float(rank), id=pk)
        elif documents not in (None, DONE):
            raise ValueError("cursor documents")
        return cls(messages=messages, documents=documents)


@dataclass(frozen=True)
class Results:
    hits: list[SearchHit | PageHit]
    next: AllCursor | None


def search_all(
    user: User,
    q: str,
    *,
    kind: Kind = "all",
    room: Room | None = None,
    author: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    limit: int = 20,
    cursor: AllCursor | None = None,
) -> Results:
    """The best `limit` hits among messages and document pages `user` may read. `room` (readable:
    the caller checked) keeps to that room's messages and the documents shared there; `author`
    to messages by, and documents uploaded by, that person."""
    position = cursor or AllCursor(messages=None, documents=None)
    messages_page = documents_page = None
    hits: list[SearchHit | PageHit] = []
    if kind in ("all", "messages") and position.messages != DONE:
        at = position.messages if isinstance(position.messages, SearchCursor) else None
        messages_page = search_messages(
            user, q, room=room.pk if room else None, author=author, after=after, before=before, limit=limit, cursor=at
        )
        hits.extend(messages_page.hits)
    if kind in ("all", "documents") and position.documents != DONE:
        at_page = position.documents if isinstance(position.documents, PageCursor) else None
        documents_page = search_documents(
            user, q, room=room, uploader=author, after=after, before=before, limit=limit, cursor=at_page
        )
        hits.extend(documents_page.hits)
    # Best first; ties: messages before pages, then newest first, as each search orders them.
    hits.sort(key=lambda hit: -hit.rank)
    shown = hits[:limit]

    next_messages: SearchCursor | str | None = DONE
    if messages_page is not None:
        taken = [hit for hit in shown if isinstance(hit, SearchHit)]
        if len(taken) < len(messages_page.hits):
            next_messages = messages_page.cursor_after(taken[-1]) if taken else position.messages
        elif messages_page.next is not None:
            next_messages = messages_page.next
    next_documents: PageCursor | str | None = DONE
    if documents_page is not None:
        taken_pages = [hit for hit in shown if isinstance(hit, PageHit)]
        if len(taken_pages) < len(documents_page.hits):
            last = taken_pages[-1] if taken_pages else None
            next_documents = PageCursor(rank=last.rank, id=last.page_id) if last else position.documents
        elif documents_page.next is not None:
            next_documents = documents_page.next
    following = AllCursor(messages=next_messages, documents=next_documents)
    done = following.messages == DONE and following.documents == DONE
    return Results(hits=shown, next=None if done else following)
