"""The chat page preloads every module of static/js/chat/ (templates/chat/home.html), so the
browser fetches them at once rather than one import level after another. A preload of a file
that is gone would break the page in production (the manifest storage refuses unknown files)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRELOAD = re.compile(r"""<link rel="modulepreload" href="\{% static 'js/chat/([\w.]+)' %\}">""")


def test_chat_page_preloads_exactly_the_chat_modules() -> None:
    # given the chat page and the modules on disk
    page = (ROOT / "templates/chat/home.html").read_text()
    modules = {path.name for path in (ROOT / "static/js/chat").glob("*.js")}

    # when the preloads are read
    preloaded = PRELOAD.findall(page)

    # then each module is preloaded once, and nothing else is
    assert sorted(preloaded) == sorted(modules)
