"""Message text is rendered safely: nothing an author writes can become markup or script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from chat.markdown import ALLOWED_TAGS, find_handles, render

BOB = {"bob": (7, "Bob Brown")}


class Tags(HTMLParser):
    """Every element of rendered HTML with its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='https://x' onclick='alert(1)'>x</a>",
        "```\n</code><script>alert(1)</script>\n```",
        "![tracker](https://evil.example/pixel.png)",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_render_hostile_input_produces_no_markup(body: str) -> None:
    tags = Tags()
    tags.feed(render(body).html)

    assert {tag for tag, _ in tags.seen} <= ALLOWED_TAGS
    for _, attrs in tags.seen:
        assert not any(name.startswith("on") for name in attrs)
        href = attrs.get("href")
        assert href is None or href.startswith(("http://", "https://", "mailto:"))


def test_render_markdown_basics() -> None:
    html = render("**bold** *it* `code` ~~gone~~\n\n- one\n- two").html

    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<code>code</code>" in html
    assert "<s>gone</s>" in html or "<del>gone</del>" in html
    assert "<li>one</li>" in html


def test_render_links_open_safely() -> None:
    html = render("see https://example.com/a?b=1 and [docs](https://docs.example.com)").html

    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="https://docs.example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_render_mentions_known_handles_only() -> None:
    rendered = render("hi @bob and @nobody, mail bob@acme.test", BOB)

    assert rendered.mentioned_ids == frozenset({7})
    assert '<span class="mention" data-user-id="7">@Bob Brown</span>' in rendered.html
    assert "@nobody" in rendered.html
    assert "bob@acme.test" in rendered.html


def test_render_mentions_not_inside_code_or_links() -> None:
    rendered = render("`@bob` [@bob](https://example.com)", BOB)

    assert rendered.mentioned_ids == frozenset()


def test_render_escapes_names_of_mentioned_people() -> None:
    rendered = render("@bob", {"bob": (7, "<b>Bob</b>")})

    assert "<b>" not in rendered.html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in rendered.html


def test_find_handles_ignores_email_addresses() -> None:
    assert find_handles("@Alice, bob@acme.test and @carol.d-x") == {"alice", "carol.d-x"}
