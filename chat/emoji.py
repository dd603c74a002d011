"""The emoji set: which emoji a reaction may be, and what `:shortcode:`s stand for.

Read once per process from the index that `make vendor` writes from emojibase-data
(config/vendor/build.py, `write_emoji_index`): the same file the picker loads in the browser, so
what the picker offers and what the server accepts cannot drift apart.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INDEX = Path(settings.BASE_DIR) / "static" / "vendor" / "emojibase-data" / "picker.json"

# What a reaction request may carry: an emoji (the longest, a family with skin tones, is 10 code
# points) or a `:shortcode:` (the longest has 40 characters).
MAX_INPUT_LENGTH = 64

# A `:shortcode:` in running text. Not glued to a word or a digit on either side, so times and
# ratios ("10:100:20") stay as they are; two in a row (":smile::tada:") are both found.
SHORTCODE_RE = re.compile(r"(?<!\w):([a-z0-9_+-]{1,40}):(?!\w)")

VARIATION_SELECTOR = "\ufe0f"


@dataclass(frozen=True)
class EmojiSet:
    # shortcode (without colons) -> emoji
    by_shortcode: dict[str, str]
    # every accepted spelling of an emoji (with or without the variation selector, each skin
    # tone) -> the spelling stored, so one emoji is one reaction however it was typed
    canonical: dict[str, str]


@functools.cache
def emoji_set() -> EmojiSet:
    try:
        index = json.loads(INDEX.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImproperlyConfigured(f"{INDEX} is missing: run `make vendor` (config/vendor/build.py).") from exc
    by_shortcode: dict[str, str] = {}
    canonical: dict[str, str] = {}
    for emoji, _name, _group, shortcodes, _tags, skins in index["emoji"]:
        for code in shortcodes:
            by_shortcode.setdefault(code, emoji)
        for spelling in (emoji, *skins):
            canonical.setdefault(spelling, spelling)
            canonical.setdefault(spelling.replace(VARIATION_SELECTOR, ""), spelling)
    return EmojiSet(by_shortcode=by_shortcode, canonical=canonical)


def reaction_emoji(value: str) -> str | None:
    """The emoji `value` names (itself, or what its `:shortcode:` stands for), spelled as stored;
    None when it is not exactly one emoji of the set."""
    value = value.strip()
    known = emoji_set()
    if len(value) > 2 and value[0] == ":" and value[-1] == ":":
        return known.by_shortcode.get(value[1:-1].lower())
    return known.canonical.get(value) or known.canonical.get(value.replace(VARIATION_SELECTOR, ""))


def replace_shortcodes(text: str) -> str:
    """`text` with each known `:shortcode:` turned into its emoji; unknown ones stay as typed."""
    if ":" not in text:
        return text
    by_shortcode = emoji_set().by_shortcode
    return SHORTCODE_RE.sub(lambda match: by_shortcode.get(match.group(1), match.group(0)), text)
