"""Copy the front-end packages of `package.json` into `static/vendor/`: the project's own build.

    python config/vendor/build.py

Runs `npm ci` here when `node_modules/` is missing or older than the lock file, then copies
only the files the pages load (listed in FILES), each package's licence beside them. The copy
is not committed: `static/vendor/` is made again from the lock on every machine, and the pages
never load anything from a CDN. `make run` and `make test` call this first; it does nothing
when the copy is newer than the lock and this file.
"""

from __future__ import annotations

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
    ("pdfjs-dist", "web/pdf_viewer.css"),
    # Character maps and the standard fonts: CJK text and PDFs that do not embed their fonts.
    ("pdfjs-dist", "cmaps"),
    ("pdfjs-dist", "standard_fonts"),
    ("emojibase-data", "LICENSE"),
    ("emojibase-data", "en/compact.json"),
    ("emojibase-data", "en/shortcodes/github.json"),
    ("emojibase-data", "en/shortcodes/emojibase.json"),
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
    STAMP.write_text("made by config/vendor/build.py from config/vendor/package-lock.json\n")


def main() -> None:
    if STAMP.exists() and STAMP.stat().st_mtime >= newest(HERE / "package-lock.json", Path(__file__)):
        return
    install()
    copy()
    print(f"==> Front-end packages copied to {TARGET.relative_to(ROOT)}/", flush=True)


if __name__ == "__main__":
    main()
