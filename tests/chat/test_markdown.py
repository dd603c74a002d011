"""Message text is rendered safely: nothing an author writes can become markup or script."""

from __future__ import annotations

import random
from html.parser import HTMLParser

import pytest

from chat.markdown import _PLAIN, ALLOWED_TAGS, find_handles, render, render_markdown

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


def test_plain_text_renders_as_markdown_would() -> None:
    """Plain one-line text skips markdown-it; what it becomes must not change."""
    generator = random.Random(7)
    plain, marked = "abcXYZéß中ж1209 ,;'?!.-", "abcXYZéß中ж1209 ,;'?!.-_*@:/<>&()[]#~`\n"
    shortcut = 0
    for case in range(20_000):
        alphabet = plain if case % 2 else marked
        body = "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 24))).strip()
        if not body:
            continue
        shortcut += bool(_PLAIN.fullmatch(body))
        assert render(body) == render_markdown(body), body
    assert shortcut > 1_000  # the shortcut was taken often enough to be tested
    for body in ("Hello, world!", "see you at 10. Bye.", "ok - thanks", "it's done?!", "Grüße aus Köln"):
        assert _PLAIN.fullmatch(body) and render(body) == render_markdown(body)
    for body in ("example.com", "e.g. this", "a @bob", "1. one", "x_y_", "-a", "a..b"):
        assert not _PLAIN.fullmatch(body)


def test_fenced_code_in_a_known_language_is_highlighted_and_stays_escaped() -> None:
    html = render("```python\ndef f(x):\n    return '<script>' + x  # done\n```").html

    assert '<code class="language-python">' in html
    assert '<span class="hl-k">def</span>' in html
    assert '<span class="hl-c1"># done</span>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    # nothing but spans with classes: no inline style, no other element
    assert {tag for tag, _ in _tags(html)} <= {"pre", "code", "span"}
    assert all(set(attrs) <= {"class"} for _, attrs in _tags(html))


def test_fenced_code_in_an_unknown_or_no_language_is_plain() -> None:
    for fence in ("```nosuchlanguage", "```"):
        html = render(f"{fence}\n<b>bold</b>\n```").html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<span" not in html


def test_words_after_the_language_never_become_attributes() -> None:
    html = render('```python onmouseover=alert(1) style="color:red"\nx = 1\n```').html

    assert '<span class="hl-n">x</span>' in html
    assert all(set(attrs) <= {"class"} for _, attrs in _tags(html))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.seen
