"""The emoji set: `:shortcode:`s rendered as emoji (never in code, links or markup), and reactions
held to one emoji of the set over the API, in one tenant and across two."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chat.emoji import reaction_emoji, replace_shortcodes
from chat.markdown import render, render_markdown
from chat.models import Message, Reaction
from tests.support.chat_api import make_room, person, post_messages
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo


def test_known_shortcodes_render_as_emoji_and_unknown_ones_stay() -> None:
    html = render("Shipped :tada: :+1::thumbsup: but :no_such_code: stays").html

    assert html == "<p>Shipped 🎉 👍👍 but :no_such_code: stays</p>"


@pytest.mark.parametrize(
    "body",
    [
        "`:tada:`",
        "```\n:tada:\n```",
        "```python\nx = ':tada:'\n```",
        "    :tada: indented code",
        "[:tada:](https://example.com/:tada:)",
        "https://example.com/:tada:/x",
    ],
)
def test_shortcodes_in_code_and_links_are_left_as_typed(body: str) -> None:
    html = render(body).html

    assert ":tada:" in html and "🎉" not in html


def test_shortcodes_beside_markup_are_escaped_and_converted() -> None:
    html = render("<b>:tada:</b> **:smile:** 10:100:20").html

    assert html == "<p>&lt;b&gt;🎉&lt;/b&gt; <strong>😄</strong> 10:100:20</p>"
    assert "<b>" not in html


def test_a_shortcode_never_renders_differently_through_the_plain_shortcut() -> None:
    for body in ("hi :tada:", ":wave: team", "ok :+1:", "Grüße :heart:"):
        assert render(body) == render_markdown(body)
        assert ":" not in render(body).html


def test_replace_shortcodes_leaves_text_without_colons_alone() -> None:
    assert replace_shortcodes("nothing here") == "nothing here"
    assert replace_shortcodes("time 12:30:45, ratio a:b:c") == "time 12:30:45, ratio a:b:c"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("👍", "👍"),
        (":+1:", "👍"),
        (":thumbsup:", "👍"),
        (" :TADA: ", "🎉"),
        ("❤", "❤️"),  # without the variation selector: the same heart
        ("❤️", "❤️"),
        ("👍🏽", "👍🏽"),  # a skin tone
        ("👩‍💻", "👩‍💻"),
    ],
)
def test_a_reaction_is_one_emoji_of_the_set(value: str, stored: str) -> None:
    assert reaction_emoji(value) == stored


@pytest.mark.parametrize("value", ["notanemoji", ":no_such_code:", "👍👍", "", "::", "a👍", "🇦", "<b>"])
def test_anything_else_is_no_reaction(value: str) -> None:
    assert reaction_emoji(value) is None


@pytest.mark.django_db
def test_api_stores_a_shortcode_as_its_emoji_once(tenant_a: TenantInfo) -> None:
    # given: a message in a room of two
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (message,) = post_messages(tenant_a, ann, room, ["we shipped"])
    path = f"/api/messages/{message.pk}/reactions/"

    # when: one reacts with the shortcode, the other with the emoji
    first = ann.post(path, {"emoji": ":tada:"})
    second = bob.post(path, {"emoji": "🎉"})

    # then: it is one reaction of two people, shown as the emoji
    assert first.status_code == 201, first.content
    assert second.json()["reactions"] == [{"emoji": "🎉", "count": 2, "users": [ann.id, bob.id]}]
    # and the shortcode takes it back too
    assert ann.delete(path, {"emoji": ":tada:"}).json()["reactions"][0]["users"] == [bob.id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("emoji", "words"),
    [
        ("notanemoji", "Choose one emoji"),
        ("👍👍", "Choose one emoji"),
        (":no_such_code:", "“:no_such_code:” is not a shortcode we know"),
        (":" + "x" * 70 + ":", "no more than 64 characters"),
        (12, None),
    ],
)
def test_api_refuses_what_is_not_one_emoji_and_stores_nothing(
    tenant_a: TenantInfo, emoji: object, words: str | None
) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, room, ["x"])

    body = assert_error(ann.post(f"/api/messages/{message.pk}/reactions/", {"emoji": emoji}), 400, "invalid")

    if words:
        assert words in body["detail"]
    with schema_context(tenant_a.schema):
        assert not Reaction.objects.filter(message=message).exists()


@pytest.mark.django_db
def test_a_reaction_cannot_reach_another_tenants_message(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: a message of B, and a person of A who knows its id, an id that names nothing in A
    carl = person(tenant_b)
    room_b = make_room(tenant_b, carl)
    (message_b,) = post_messages(tenant_b, carl, room_b, ["globex only"])
    ann = person(tenant_a)
    with schema_context(tenant_a.schema):
        Message.objects.filter(pk=message_b.pk).delete()  # rolled back with the test

    # when: A reacts to it, by emoji and by shortcode
    for emoji in ("👍", ":tada:"):
        assert_error(ann.post(f"/api/messages/{message_b.pk}/reactions/", {"emoji": emoji}), 404, "not_found")

    # then: nothing was stored in B
    with schema_context(tenant_b.schema):
        assert not Reaction.objects.filter(message=message_b).exists()


@pytest.mark.django_db
def test_a_reaction_stored_before_the_set_was_enforced_can_be_taken_back(tenant_a: TenantInfo) -> None:
    # given: reactions stored as they were once accepted (a shortcode kept as typed, a symbol)
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, room, ["old"])
    with schema_context(tenant_a.schema):
        for old in (":tada:", "★"):
            Reaction.objects.create(message=message, user=ann.user, emoji=old)
    path = f"/api/messages/{message.pk}/reactions/"

    # when: Ann takes them back as they are shown
    first = ann.delete(path, {"emoji": ":tada:"})
    second = ann.delete(path, {"emoji": "★"})

    # then: both are gone, and "★" still cannot be added anew
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["reactions"] == []
    assert_error(ann.post(path, {"emoji": "★"}), 400, "invalid")
