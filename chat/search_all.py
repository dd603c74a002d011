"""One search box over messages and what messages carry (documents, through chat.attachments):
both searches, merged by rank.

Each kind keeps its own keyset position, and one cursor carries both: a page takes the best
`limit` hits of the two, and each kind's position moves past the hits of it that were shown, so
no hit is skipped or repeated across pages. Ranks must be comparable: the attachments' search
ranks with ts_rank_cd over the same text-search configuration (chat.models.SEARCH_CONFIG).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from accounts.models import User
from chat.attachments import AttachmentHit, AttachmentQuery, registered
from chat.models import Room
from chat.search import SearchCursor, SearchHit, search_messages

Kind = Literal["all", "messages", "documents"]
# A kind that has no more hits.
DONE = "done"


@dataclass(frozen=True)
class AllCursor:
    """Each kind's position: None to start from the top, DONE when it has no more hits."""

    messages: SearchCursor | str | None
    # A JSON value of the attachments' search (chat.attachments), DONE or None.
    documents: object | None

    def encode(self) -> str:
        messages = self.messages.encode() if isinstance(self.messages, SearchCursor) else self.messages
        raw = json.dumps({"m": messages, "d": self.documents}, separators=(",", ":")).encode()
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
        if documents not in (None, DONE):
            documents = registered().check_cursor(documents)
        return cls(messages=messages, documents=documents)


@dataclass(frozen=True)
class Results:
    hits: list[SearchHit | AttachmentHit]
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
    hits: list[SearchHit | AttachmentHit] = []
    if kind in ("all", "messages") and position.messages != DONE:
        at = position.messages if isinstance(position.messages, SearchCursor) else None
        messages_page = search_messages(
            user, q, room=room.pk if room else None, author=author, after=after, before=before, limit=limit, cursor=at
        )
        hits.extend(messages_page.hits)
    if kind in ("all", "documents") and position.documents != DONE:
        query = AttachmentQuery(user, q, room, author, after, before, limit, cursor=position.documents)
        documents_page = registered().search(query)
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
    next_documents: object | None = DONE
    if documents_page is not None:
        taken_pages = [hit for hit in shown if not isinstance(hit, SearchHit)]
        if len(taken_pages) < len(documents_page.hits):
            next_documents = taken_pages[-1].after() if taken_pages else position.documents
        elif documents_page.next is not None:
            next_documents = documents_page.next
    following = AllCursor(messages=next_messages, documents=next_documents)
    done = following.messages == DONE and following.documents == DONE
    return Results(hits=shown, next=None if done else following)
