"""Message search: ranked, highlighted, filtered, paged, and never beyond what the person may read."""

from __future__ import annotations

import random
import string
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from chat import search
from chat.actions import do_delete_message
from chat.models import Message, Room
from chat.search import NEWEST, RANK, marked, search_messages
from tests.support.chat_api import make_room, person, post_messages
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def word() -> str:
    """A word no other test (or the demo data) uses, that English stemming leaves alone."""
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=8)) + "x"


def ids_of(response: object) -> list[int]:
    return [r["message"]["id"] for r in response.json()["results"]]  # type: ignore[attr-defined]


def test_search_ranks_denser_matches_first_and_highlights_safely(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    bodies = [f"{w} is mentioned once among many other words here", f"{w} {w} when 1 < 2 & 3 > 2 {w}", "nothing"]
    weak, strong, _ = post_messages(tenant_a, ann, room, bodies)

    # when
    response = ann.get("/api/search/", {"q": w})

    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["message"]["id"] for r in results] == [strong.pk, weak.pk]
    top = results[0]
    assert top["type"] == "message"
    assert top["room"] == {"id": room.pk, "name": room.name}
    assert top["rank"] > results[1]["rank"] > 0
    assert f"<mark>{w}</mark>" in top["snippet"]
    assert "&lt;" in top["snippet"] and "&amp;" in top["snippet"] and " < " not in top["snippet"]
    assert top["message"]["body"] == strong.body


def test_snippet_markers_in_a_body_cannot_become_markup() -> None:
    assert marked("\x01a\x02 <script>") == "<mark>a</mark> &lt;script&gt;"


def test_search_finds_stemmed_forms_and_phrases(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    (deploying, other) = post_messages(tenant_a, ann, room, [f"{w} deploying the servers", f"servers {w}"])

    assert ids_of(ann.get("/api/search/", {"q": f"{w} deployed"})) == [deploying.pk]
    assert ids_of(ann.get("/api/search/", {"q": f'"servers {w}"'})) == [other.pk]
    assert ids_of(ann.get("/api/search/", {"q": f"{w} -deploy"})) == [other.pk]


def test_search_never_shows_private_rooms_of_others_or_deleted_messages(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    w = word()
    public = make_room(tenant_a, bob)
    private = make_room(tenant_a, bob, kind=Room.Kind.PRIVATE)
    mine = make_room(tenant_a, bob, kind=Room.Kind.PRIVATE, members=(ann,))
    (in_public,) = post_messages(tenant_a, bob, public, [f"{w} public"])
    post_messages(tenant_a, bob, private, [f"{w} private"])
    (in_mine,) = post_messages(tenant_a, bob, mine, [f"{w} shared"])
    (gone,) = post_messages(tenant_a, bob, public, [f"{w} deleted"])
    with schema_context(tenant_a.schema):
        do_delete_message(tenant=tenant_a.client, message=gone)

    found = ids_of(ann.get("/api/search/", {"q": w}))

    assert sorted(found) == sorted([in_public.pk, in_mine.pk])
    # naming the private room is a 404, as everywhere else
    assert_error(ann.get("/api/search/", {"q": w, "room": private.pk}), 404)


def test_search_never_crosses_tenants(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    ann, carl = person(tenant_a), person(tenant_b)
    w = word()
    room_a, room_b = make_room(tenant_a, ann), make_room(tenant_b, carl)
    (a_message,) = post_messages(tenant_a, ann, room_a, [f"{w} in acme"])
    (b_message,) = post_messages(tenant_b, carl, room_b, [f"{w} in globex"])

    assert ids_of(ann.get("/api/search/", {"q": w})) == [a_message.pk]
    assert ids_of(carl.get("/api/search/", {"q": w})) == [b_message.pk]
    assert_error(ann.get("/api/search/", {"q": w, "room": room_b.pk}), 404)


def test_search_filters_by_room_author_and_date(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    w = word()
    one, two = make_room(tenant_a, ann, members=(bob,)), make_room(tenant_a, ann, members=(bob,))
    (old,) = post_messages(tenant_a, ann, one, [f"{w} old"])
    (by_bob,) = post_messages(tenant_a, bob, one, [f"{w} by bob"])
    (elsewhere,) = post_messages(tenant_a, ann, two, [f"{w} elsewhere"])
    long_ago = timezone.now() - timedelta(days=10)
    with schema_context(tenant_a.schema):
        Message.objects.filter(pk=old.pk).update(created_at=long_ago)
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()

    assert sorted(ids_of(ann.get("/api/search/", {"q": w, "room": one.pk}))) == [old.pk, by_bob.pk]
    assert ids_of(ann.get("/api/search/", {"q": w, "author": bob.id})) == [by_bob.pk]
    assert sorted(ids_of(ann.get("/api/search/", {"q": w, "after": yesterday}))) == [by_bob.pk, elsewhere.pk]
    assert ids_of(ann.get("/api/search/", {"q": w, "before": yesterday})) == [old.pk]
    assert ids_of(ann.get("/api/search/", {"q": w, "before": (long_ago + timedelta(seconds=1)).isoformat()})) == [
        old.pk
    ]


@pytest.mark.parametrize("plan", [RANK, NEWEST])
def test_search_pages_follow_the_cursor_without_gap_or_duplicate(tenant_a: TenantInfo, plan: str) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    # ranks differ by how often the word appears; several share a rank (ties go newest first)
    messages = post_messages(tenant_a, ann, room, [" ".join([w] * (1 + i % 3)) + f" n{i}" for i in range(7)])

    with schema_context(tenant_a.schema):
        seen: list[int] = []
        ranks: list[float] = []
        page = search_messages(ann.user, w, limit=3, plan=plan)
        while True:
            assert page.plan == plan
            seen += [hit.message.pk for hit in page.hits]
            ranks += [hit.rank for hit in page.hits]
            if page.next is None:
                break
            page = search_messages(ann.user, w, limit=3, cursor=page.next)

    assert sorted(seen) == sorted(m.pk for m in messages)
    assert len(seen) == len(set(seen))
    assert ranks == sorted(ranks, reverse=True)


def test_newest_plan_ranks_only_the_newest_window(tenant_a: TenantInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the window is 2 messages, and the best match is the oldest
    monkeypatch.setattr(search, "NEWEST_WINDOW", 2)
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    _best, second, third = post_messages(tenant_a, ann, room, [f"{w} {w} {w}", f"{w} a", f"{w} b"])

    with schema_context(tenant_a.schema):
        page = search_messages(ann.user, w, plan=NEWEST)

    assert sorted(hit.message.pk for hit in page.hits) == [second.pk, third.pk]


def test_plan_is_chosen_by_the_estimated_number_of_matches(
    tenant_a: TenantInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    post_messages(tenant_a, ann, room, [f"{w} one"])

    with schema_context(tenant_a.schema):
        rare = search_messages(ann.user, w)
        monkeypatch.setattr(search, "RANK_ALWAYS_UP_TO", 0)
        monkeypatch.setattr(search, "RANK_ROW_COST", 10**12)
        common = search_messages(ann.user, w)

    assert (rare.plan, common.plan) == (RANK, NEWEST)
    assert [h.message.pk for h in rare.hits] == [h.message.pk for h in common.hits]


@pytest.mark.parametrize(
    ("estimated", "table_rows", "plan"),
    [(10, 1_000_000, RANK), (1_500, 1_000_000, RANK), (10_000, 1_000_000, NEWEST), (700_000, 1_000_000, NEWEST),
     (90, 100, RANK), (300, 1_000, NEWEST), (2_000, 0, NEWEST)],
)  # fmt: skip
def test_choose_plan_ranks_everything_only_for_few_matches(estimated: int, table_rows: int, plan: str) -> None:
    assert search.choose_plan(estimated, table_rows) == plan


def test_search_for_stop_words_only_finds_nothing(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)

    response = ann.get("/api/search/", {"q": "the and of"})

    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "room": "x"}, {"q": "a", "author": "-3"},
     {"q": "a", "after": "yesterday"}, {"q": "a", "after": "2026-02-30"}, {"q": "a", "cursor": "nope"},
     {"q": "a", "after": "2026-01-02", "before": "2026-01-01"}, {"q": "a", "limit": "500"}],
)  # fmt: skip
def test_search_with_bad_input_is_a_400(tenant_a: TenantInfo, params: dict[str, str]) -> None:
    assert_error(person(tenant_a).get("/api/search/", params), 400, "invalid")


def test_search_tolerates_hostile_query_syntax(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)

    for q in ["'", '"', "!!!", "a & | !b", "(", "-", "or or", "\\", "<->", "a:*"]:
        response = ann.get("/api/search/", {"q": q})
        assert response.status_code == 200, (q, response.content)


def test_search_pages_over_the_api_and_forgets_a_private_room_once_left(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))
    w = word()
    messages = post_messages(tenant_a, ann, room, [f"{w} {i}" for i in range(5)])

    first = bob.get("/api/search/", {"q": w, "limit": 3}).json()
    second = bob.get("/api/search/", {"q": w, "limit": 3, "cursor": first["next"]}).json()
    bob.delete(f"/api/rooms/{room.pk}/members/{bob.id}/")
    after_leaving = bob.get("/api/search/", {"q": w}).json()

    found = [r["message"]["id"] for r in first["results"] + second["results"]]
    assert sorted(found) == sorted(m.pk for m in messages)
    assert second["next"] is None
    assert after_leaving == {"results": [], "next": None}
