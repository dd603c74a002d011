"""Copy the front-end packages of `package.json` into `static/vendor/`: the project's own build.

    python config/vendor/build.py

Runs `npm ci` here when `node_modules/` is missing or older than the lock file, then copies
only the files the pages load (listed in FILES), each package's licence beside them. The copy
is not committed: `static/vendor/` is made again from the lock on every machine, and the pages
never load anything from a CDN. `make run` and `make test` call this first; it does nothing
when the copy is newer than the lock and this file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MODULES = HERE / "node_modules"
TARGET = ROOT / "static" / "vendor"
STAMP = TARGET / ".built"

# (package, path inside it): a file or a whole folder, copied to static/vendor/<package>/<path>.
FILES: list[tuple[str, str]] = [
    ("pdfjs-dist", "LICENSE"),
    ("pdfjs-dist", "build/pdf.min.mjs"),
    ("pdfjs-dist", "build/pdf.worker.min.mjs"),
    # Character maps and the standard fonts: CJK text and PDFs that do not embed their fonts.
    ("pdfjs-dist", "cmaps"),
    ("pdfjs-dist", "standard_fonts"),
    # emojibase-data's own files stay in node_modules: the pages and the server read the index
    # made from them (write_emoji_index).
    ("emojibase-data", "LICENSE"),
    # The analytics dashboard's charts: the ES module build, imported by its static URL (the
    # manifest storage fingerprints it), and its stylesheet.
    ("uplot", "LICENSE"),
    ("uplot", "dist/uPlot.esm.js"),
    ("uplot", "dist/uPlot.min.css"),
]


def newest(*paths: Path) -> float:
    return max(path.stat().st_mtime for path in paths)


def install() -> None:
    lock = HERE / "package-lock.json"
    marker = MODULES / ".package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm).")
    print("==> Installing the front-end packages (npm ci, first run only)", flush=True)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
    )


def copy() -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for package, inner in FILES:
        source = MODULES / package / inner
        destination = TARGET / package / inner
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    write_emoji_index()
    STAMP.write_text("made by config/vendor/build.py from config/vendor/package-lock.json\n")


# The emoji the picker offers and the server accepts (chat/emoji.py, static/js/chat/emoji_data.js),
# made from emojibase-data: 235 KB (60 KB compressed) instead of the 790 KB of its three files,
# so the picker's first opening stays quick on a phone. Group names follow emojibase's group
# numbers; 2 (skin tones and hair parts) and the regional letters (no group) are no emoji to send
# alone.
EMOJI_INDEX = TARGET / "emojibase-data" / "picker.json"
EMOJI_GROUPS = [
    "Smileys & emotion", "People & body", None, "Animals & nature", "Food & drink",
    "Travel & places", "Activities", "Objects", "Symbols", "Flags",
]  # fmt: skip


def write_emoji_index() -> None:
    """`{"groups": [name], "emoji": [[emoji, name, group, [shortcode], [tag], [skin tone]]]}` in
    emojibase's order. Shortcodes: GitHub's first (:+1:, :tada:), then emojibase's that no other
    emoji already has, so each shortcode names one emoji."""
    data = MODULES / "emojibase-data" / "en"
    compact = json.loads((data / "compact.json").read_text())
    sources = [json.loads((data / "shortcodes" / f"{name}.json").read_text()) for name in ("github", "emojibase")]
    owner: dict[str, str] = {}
    for source in sources:
        for hexcode, named in source.items():
            for code in [named] if isinstance(named, str) else named:
                owner.setdefault(code, hexcode)
    # emojibase spells every emoji with the variation selector (U+FE0F); keep it only where
    # Unicode's fully-qualified form has it (after a text-style symbol: ❤️, not 👍), so what
    # people's keyboards type and what the picker sends is one reaction.
    text_style = {item["hexcode"] for item in json.loads((data / "data.json").read_text()) if item.get("type") == 0}
    rows = []
    for item in sorted(compact, key=lambda item: item.get("order", 0)):
        group = item.get("group")
        if group is None or EMOJI_GROUPS[group] is None:
            continue
        hexcode = item["hexcode"]
        codes: list[str] = []
        for source in sources:
            found = source.get(hexcode, [])
            codes += [code for code in ([found] if isinstance(found, str) else found) if owner[code] == hexcode]
        skins = [skin["unicode"] for skin in item.get("skins", [])]
        emoji = item["unicode"]
        if len(emoji) == 2 and emoji[1] == "\ufe0f" and hexcode not in text_style:
            emoji = emoji[0]
        rows.append([emoji, item["label"], group, list(dict.fromkeys(codes)), item.get("tags", []), skins])
    index = {"groups": EMOJI_GROUPS, "emoji": rows}
    EMOJI_INDEX.parent.mkdir(parents=True, exist_ok=True)
    EMOJI_INDEX.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def main() -> None:
    if STAMP.exists() and STAMP.stat().st_mtime >= newest(HERE / "package-lock.json", Path(__file__)):
        return
    install()
    copy()
    print(f"==> Front-end packages copied to {TARGET.relative_to(ROOT)}/", flush=True)


if __name__ == "__main__":
    main()
