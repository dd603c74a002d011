"""The chat page's data modules (static/js/chat/*_data.js and friends) are tested with Node's own
runner, `node --test tests/js/`; this runs those tests with the rest of the suite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NODE_TIMEOUT_S = 120


def node_binary() -> str:
    found = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if found is None:
        pytest.fail("Node.js runs the tests of tests/js/: put `node` on PATH (Debian: apt-get install nodejs).")
    return found


def test_javascript_unit_tests_pass() -> None:
    # given the *.test.mjs files beside this one
    assert sorted(HERE.glob("*.test.mjs")), "no JavaScript tests found in tests/js/"

    # when Node's test runner runs them
    done = subprocess.run(
        [node_binary(), "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )

    # then every one of them passes
    if done.returncode != 0:
        output = f"{done.stdout}\n{done.stderr}"
        pytest.fail(f"node --test tests/js/ failed (exit {done.returncode}):\n{output}", pytrace=False)
