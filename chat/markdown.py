"""Message text to HTML: CommonMark without raw HTML, links found in plain text, mentions, and
known `:shortcode:`s as their emoji (chat.emoji), so API clients read what the web app shows.

Two layers keep authors' markup out of readers' pages: markdown-it never passes HTML through
(`html=False`) and refuses `javascript:`-like link targets, and nh3 then cleans the output
against an allow-list, so a bug in either alone cannot inject script.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from chat.emoji import replace_shortcodes

MAX_BODY_LENGTH = 10_000

# `@handle`: the part of a person's e-mail address before the `@` (letters, digits, . _ -).
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "span", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class", "data-user-id"},
    "ol": {"start"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
}


# Fenced code in a language Pygments knows becomes its tokens, as spans with classes only (the
# colours are the stylesheet's, light and dark: static/css/chat.css); Pygments escapes the code.
_TOKENS = HtmlFormatter(nowrap=True, classprefix="hl-")
# Longer code is left plain: highlighting is linear, but a message is rendered on every send.
MAX_HIGHLIGHTED = 20_000


@functools.lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def _highlight(code: str, language: str, attrs: str) -> str:
    """The code's tokens, or "" (markdown-it then escapes it as plain code)."""
    lexer = _lexer(language.strip().lower()[:40]) if language.strip() else None
    if lexer is None or len(code) > MAX_HIGHLIGHTED:
        return ""
    return str(highlight(code, lexer, _TOKENS))


def _build() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "breaks": True, "typographer": False, "highlight": _highlight},
    )
    md.enable(["linkify", "strikethrough", "table"])
    # Remote images would let any author track who reads a message, and when.
    md.disable(["image"])
    return md


_markdown = _build()


@dataclass(frozen=True)
class Rendered:
    html: str
    # Handles written as `@handle` that resolved to a person (user id per handle).
    mentioned_ids: frozenset[int]


# One line of words (letters and digits of any script) and spaces with a little punctuation,
# starting with a letter: text that CommonMark, linkify and the sanitizer all leave as it is (no
# markup, no link, no mention, no `:shortcode:`, nothing to escape). Most messages look like this, and markdown-it
# took 0.4 ms of CPU over each; tests/chat/test_markdown.py checks both ways agree.
# A full stop only before a space or at the end: "site.com" would be a link.
_PLAIN = re.compile(r"[^\W\d_][^\W_]*(?:(?:[ ,;'?!-]|\.(?= ))+[^\W_]+)*[,;'?!.]*")


def find_handles(body: str) -> set[str]:
    return {match.lower() for match in MENTION_RE.findall(body)}


def render(body: str, people: Mapping[str, tuple[int, str]] | None = None) -> Rendered:
    """Render `body`. `people` maps lower-cased handles to (user id, display name); a handle
    found there becomes a mention, anything else stays text."""
    if _PLAIN.fullmatch(body):
        return Rendered(html=f"<p>{body}</p>", mentioned_ids=frozenset())
    return render_markdown(body, people)


def render_markdown(body: str, people: Mapping[str, tuple[int, str]] | None = None) -> Rendered:
    """`render` without its shortcut for plain text."""
    people = people or {}
    html = _markdown.render(body)
    mentioned: set[int] = set()

    def mention(match: re.Match[str]) -> str:
        person = people.get(match.group(1).lower())
        if person is None:
            return match.group(0)
        mentioned.add(person[0])
        name = nh3.clean_text(person[1])
        return f'<span class="mention" data-user-id="{person[0]}">@{name}</span>'

    # Shortcodes and mentions are replaced in text only, never inside tags, links or code.
    html = _replace_in_text(html, mention)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Rendered(html=clean.strip(), mentioned_ids=frozenset(mentioned))


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_SKIP_INSIDE = {"a", "code", "pre"}


def _replace_in_text(html: str, replace: object) -> str:
    out: list[str] = []
    depth = 0
    for part in _TAG_OR_TEXT.split(html):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _SKIP_INSIDE:
                depth += -1 if part.startswith("</") else 1
            out.append(part)
        elif depth <= 0:
            # Shortcodes first: a person's name put in by a mention is never read as one.
            part = replace_shortcodes(part)
            out.append(MENTION_RE.sub(replace, part) if "@" in part else part)  # type: ignore[call-overload]
        else:
            out.append(part)
    return "".join(out)
