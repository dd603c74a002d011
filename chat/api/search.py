"""`/api/search/` (messages and documents, in one list) and `/api/directory/` (people to mention or
write to)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import PeopleQuerySerializer
from accounts.selectors import people_page
from chat.access import access_room
from chat.api import serializers as s
from chat.payloads import handle_of, message_payload
from chat.search import SearchHit
from chat.search_all import search_all
from config.api.common import BAD_INPUT, NOT_FOUND, person, valid


class SearchView(APIView):
    @extend_schema(
        parameters=[s.SearchQuerySerializer],
        responses={200: s.SearchPageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        operation_id="search",
        summary="Search messages and documents",
        description="PostgreSQL full-text search (English stemming) over what you may read: messages of public "
        "rooms and of the rooms you are in (deleted ones never), and the pages of documents you can read. "
        '`q` takes words, "a phrase", -excluded and `or`. Best matches first, messages and document pages in '
        "one list (`type` keeps to one kind); for a very common word, the best among its newest 500 message "
        "matches. A document hit names its `page`. Filters: `room`, `author` (user id), `after` and `before` "
        "(a date, midnight in your time zone, or a date and time). `snippet` is escaped HTML with the "
        "matches in <mark>. Pass `next` as `cursor` for the next page.",
    )
    def get(self, request: Request) -> Response:
        user = person(request)
        params = valid(s.SearchQuerySerializer, request.query_params, request=request)
        room = access_room(user, params["room"]).room if params.get("room") is not None else None
        found = search_all(
            user,
            params["q"],
            kind=params["type"],
            room=room,
            author=params.get("author"),
            after=params.get("after"),
            before=params.get("before"),
            limit=params["limit"],
            cursor=params["cursor"],
        )
        results = [
            {
                "type": "message",
                "message": message_payload(hit.message),
                "room": {"id": hit.room.pk, "name": hit.room.name},
                "snippet": hit.snippet,
                "rank": hit.rank,
            }
            if isinstance(hit, SearchHit)
            else hit.result()
            for hit in found.hits
        ]
        return Response({"results": results, "next": found.next.encode() if found.next else None})


class DirectoryView(APIView):
    @extend_schema(
        parameters=[PeopleQuerySerializer],
        responses={200: s.DirectoryPageSerializer, 400: BAD_INPUT},
        operation_id="directory",
        summary="Active people of the workspace",
        description="For @mention autocomplete and starting direct messages: `q` matches part of a name "
        "or e-mail address. `handle` is what follows @ in a mention. Keyset pages in e-mail order: pass "
        "`next` as `cursor` until it is null.",
    )
    def get(self, request: Request) -> Response:
        person(request)
        query = valid(PeopleQuerySerializer, request.query_params)
        page = people_page(q=query["q"], after=query["cursor"], active_only=True)
        results = [
            {"id": user.pk, "name": user.get_full_name() if user.name else handle_of(user), "handle": handle_of(user)}
            for user in page.people
        ]
        return Response({"results": results, "next": page.next.encode() if page.next else None})
