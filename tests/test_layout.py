"""The tests share one library, `tests.support`: no module under tests/ imports from a conftest
module or from a test module. Fixtures reach tests through conftest files, never by import."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imports_of(path: Path) -> list[tuple[int, list[str]]]:
    """Each import statement of `path` as (line, the dotted names it may load). A `from` import
    may load its module or, `from tests.chat import conftest`, a module it names; relative imports
    are resolved against the module's own package."""
    package = path.relative_to(TESTS.parent).parent.parts
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, [module, *(f"{module}.{alias.name}" for alias in node.names)]))
    return found


def is_conftest_or_test_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "tests" and any(part == "conftest" or part.startswith("test_") for part in parts[1:])


def test_no_module_imports_a_conftest_or_a_test_module() -> None:
    # given: every Python module of the test suite
    modules = sorted(TESTS.rglob("*.py"))
    assert modules

    # when: their imports are read
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line} imports from {names[0]}"
        for path in modules
        for line, names in imports_of(path)
        if any(is_conftest_or_test_module(name) for name in names)
    ]

    # then: none of them loads a conftest or a test module
    assert offenders == [], "\n".join(offenders)
