"""Full-text search over messages: PostgreSQL's own, on the stored `search_vector` and its GIN index.

Only messages a person may read are ever considered: rooms that are public, and rooms they belong
to, in the schema the connection is set to (the request's tenant), never deleted ones.

The plan depends on how many messages match (ARCHITECTURE, "History and search"):

- Newest-first over all matches (`ORDER BY id DESC LIMIT n`) is instant for a word in most
  messages, but for a rare word PostgreSQL walks the id index backwards through the whole table
  looking for the few matches.
- Rank-first over all matches (rank every match from the GIN bitmap, then sort) is instant for a
  rare word and ranks hundreds of thousands of rows for a common one.

So the planner's own estimate of the matching rows M (EXPLAIN, which costs a planning pass and
reads the column's most-common-element statistics) picks between:

- `rank`: every match is ranked. Costs about M heap pages read from the GIN bitmap.
- `newest`: the newest NEWEST_WINDOW matches are taken first and ranked among themselves. The
  backwards walk of the id index visits about NEWEST_WINDOW x N / M rows (N: the table's rows)
  before it has them, each far cheaper than a page read from the bitmap (RANK_ROW_COST times,
  measured by bench/history.py). The inner LIMIT is large enough that PostgreSQL itself prefers
  the bitmap when it expects few matches, so this plan never walks the whole table for 20 rows.

`rank` is taken when M x M x RANK_ROW_COST <= NEWEST_WINDOW x N: for a million messages, words in
up to about 3,000 of them. A page's cursor carries its plan and the newest message id at the
first page, so every later page ranks the same set and messages sent meanwhile shift nothing.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from accounts.models import User
from chat.models import SEARCH_CONFIG, Message, Room
from chat.payloads import with_related
from chat.selectors import rooms_visible_to

MAX_SEARCH_LENGTH = 200
PAGE_SIZE = 20
# The `newest` plan ranks among this many newest matches.
NEWEST_WINDOW = 500
# A match ranked from the GIN bitmap costs about as much as this many rows walked on the id index
# (a heap page read and ts_rank_cd, against a filter on a row already in memory).
RANK_ROW_COST = 50
# Every match is ranked when so few are expected, however small the table.
RANK_ALWAYS_UP_TO = 100

RANK = "rank"
NEWEST = "newest"

# Markers ts_headline puts around matched words. Removed from the text first, so only
# ts_headline's can be in the output; the text is then escaped and they become <mark>.
_START, _STOP = "\x01", "\x02"
HEADLINE_MARKERS = _START + _STOP
HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass(frozen=True)
class SearchCursor:
    """Where the next page starts: after (rank, id) in the order of `plan`, among messages up to
    `top` (the newest id when the first page was asked for)."""

    plan: str
    top: int
    rank: float
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.plan, self.top, self.rank, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> SearchCursor:
        """Raise ValueError for anything this module did not produce."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            plan, top, rank, pk = json.loads(raw)
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as exc:
            raise ValueError("cursor encoding") from exc
        if plan not in (RANK, NEWEST):
            raise ValueError("cursor plan")
        for number in (top, pk):
            if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2**63:
                raise ValueError("cursor id")
        if not isinstance(rank, int | float) or isinstance(rank, bool) or not 0 <= rank < 1e30:
            raise ValueError("cursor rank")
        return cls(plan=plan, top=top, rank=float(rank), id=pk)


@dataclass(frozen=True)
class SearchHit:
    message: Message
    room: Room
    # HTML-escaped text with the matched words in <mark></mark>.
    snippet: str
    rank: float


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    next: SearchCursor | None
    # RANK or NEWEST, or "" when the query had no words to search for.
    plan: str
    # The planner's estimate of the matches, on a first page (later pages keep its plan).
    estimated: int
    # The newest message id the search was bounded by (the cursor's `top`).
    top: int = 0

    def cursor_after(self, hit: SearchHit) -> SearchCursor:
        """Where a page starts that follows `hit` of this page."""
        return SearchCursor(plan=self.plan, top=self.top, rank=hit.rank, id=hit.message.pk)


def search_messages(
    user: User,
    q: str,
    *,
    room: int | None = None,
    author: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    limit: int = PAGE_SIZE,
    cursor: SearchCursor | None = None,
    plan: str | None = None,
) -> SearchPage:
    """Messages matching `q` (web-search syntax: words, "phrases", -excluded, or) that `user` may
    read, best first. `room` narrows to one room (ignored unless readable); `after` and `before`
    bound the sending time ([after, before)). `plan` forces a plan (measurements and tests)."""
    parsed = _parse(q[:MAX_SEARCH_LENGTH], user)
    if parsed is None:
        return SearchPage(hits=[], next=None, plan="", estimated=0)
    tsquery, newest, table_rows, readable = parsed
    if room is not None:
        readable = [room] if room in readable else []
    if not readable:
        return SearchPage(hits=[], next=None, plan="", estimated=0)
    top = cursor.top if cursor is not None else newest
    where = [
        "m.room_id = ANY(%(rooms)s)",
        "m.deleted_at IS NULL",
        "m.search_vector @@ %(tsquery)s::tsquery",
        "m.id <= %(top)s",
    ]
    params: dict[str, Any] = {"rooms": readable, "tsquery": tsquery, "top": top}
    if author is not None:
        where.append("m.author_id = %(author)s")
        params["author"] = author
    if after is not None:
        where.append("m.created_at >= %(after)s")
        params["after"] = after
    if before is not None:
        where.append("m.created_at < %(before)s")
        params["before"] = before
    filters = " AND ".join(where)
    estimated = 0
    if cursor is not None:
        plan = cursor.plan
    else:
        estimated = _estimate(filters, params)
        plan = plan or choose_plan(estimated, table_rows)
    ranked = _ranked(plan, filters, params, limit=limit, cursor=cursor)
    page, more = ranked[:limit], len(ranked) > limit
    hits = _hits(page)
    next_cursor = None
    if more and page:
        last_id, last_rank, _ = page[-1]
        next_cursor = SearchCursor(plan=plan, top=top, rank=last_rank, id=last_id)
    return SearchPage(hits=hits, next=next_cursor, plan=plan, estimated=estimated, top=top)


def choose_plan(estimated: int, table_rows: int) -> str:
    """RANK or NEWEST, whichever reads fewer rows for `estimated` matches (module docstring)."""
    if estimated <= RANK_ALWAYS_UP_TO:
        return RANK
    rows = max(table_rows, estimated)
    return RANK if estimated * estimated * RANK_ROW_COST <= NEWEST_WINDOW * rows else NEWEST


def _parse(q: str, user: User) -> tuple[str, int, int, list[int]] | None:
    """In one round trip: the query as tsquery text, the newest message id, the table's row count
    as of its last ANALYZE and the ids of the rooms `user` may read (chat.selectors'
    rooms_visible_to); None when the query has no words to search for (empty, or only stop
    words). The tsquery and the room ids are passed on as constants, so that the planner can
    estimate how many rows match."""
    q = q.replace("\x00", " ").strip()
    if not q:
        return None
    rooms_sql, rooms_params = rooms_visible_to(user).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # `rooms_sql` is compiled by Django; every value is a parameter.
        sql = (
            "SELECT query::text, numnode(query), (SELECT coalesce(max(id), 0) FROM chat_message), "  # noqa: S608  # nosec B608
            "  (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'chat_message'::regclass), "
            f"  ARRAY({rooms_sql}) "
            "FROM websearch_to_tsquery(%s::regconfig, %s) AS query"
        )
        cursor.execute(sql, [*rooms_params, SEARCH_CONFIG, q])
        text, nodes, newest, table_rows, readable = cursor.fetchone()
    return (text, int(newest), int(table_rows or 0), list(readable)) if nodes else None


def _estimate(filters: str, params: dict[str, Any]) -> int:
    """The planner's estimate of the matching messages."""
    with connection.cursor() as cursor:
        # `filters` is built above from fixed fragments; every value is a parameter.
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM chat_message m WHERE {filters}", params)  # noqa: S608  # nosec B608
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _ranked(
    plan: str, filters: str, params: dict[str, Any], *, limit: int, cursor: SearchCursor | None
) -> list[tuple[int, float, str]]:
    """(id, rank, headline) of up to limit + 1 matches after `cursor`, best first (ties: newest
    first). Headlines, which are costly, are made for those rows only."""
    params = {
        **params,
        "config": SEARCH_CONFIG,
        "limit": limit + 1,
        "window": NEWEST_WINDOW,
        "markers": HEADLINE_MARKERS,
        "options": HEADLINE_OPTIONS,
    }
    keyset = ""
    if cursor is not None:
        keyset = "WHERE (rank, id) < (%(after_rank)s::real, %(after_id)s)"
        params.update(after_rank=repr(cursor.rank), after_id=cursor.id)
    if plan == RANK:
        matches = f"SELECT m.id, m.search_vector FROM chat_message m WHERE {filters}"  # noqa: S608  # nosec B608
    else:
        matches = (
            f"SELECT m.id, m.search_vector FROM chat_message m WHERE {filters} "  # noqa: S608  # nosec B608
            "ORDER BY m.id DESC LIMIT %(window)s"
        )
    # Fixed fragments only; every value is a parameter.
    sql = (
        "SELECT p.id, p.rank, ts_headline(%(config)s::regconfig, translate(b.body, %(markers)s, ''), "  # noqa: S608  # nosec B608
        "  %(tsquery)s::tsquery, %(options)s) "
        "FROM ("
        "  SELECT id, rank FROM ("
        "    SELECT w.id, ts_rank_cd(w.search_vector, %(tsquery)s::tsquery) AS rank"
        f"    FROM ({matches}) w"
        f"  ) r {keyset} ORDER BY rank DESC, id DESC LIMIT %(limit)s"
        ") p JOIN chat_message b ON b.id = p.id "
        "ORDER BY p.rank DESC, p.id DESC"
    )
    with connection.cursor() as db:
        db.execute(sql, params)
        return [(int(pk), float(rank), headline) for pk, rank, headline in db.fetchall()]


def _hits(page: list[tuple[int, float, str]]) -> list[SearchHit]:
    if not page:
        return []
    ids = [pk for pk, _, _ in page]
    messages = {m.pk: m for m in with_related(Message.objects.filter(pk__in=ids).select_related("room"))}
    return [
        SearchHit(message=messages[pk], room=messages[pk].room, snippet=marked(headline), rank=rank)
        for pk, rank, headline in page
        # A message deleted for good between the two queries is left out.
        if pk in messages
    ]


def marked(headline: str) -> str:
    """ts_headline's text made safe to insert as HTML: escaped, with its markers as <mark>."""
    return html.escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
