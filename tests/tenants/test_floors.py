"""Imports run one way, down the floors (STYLE.md, "Across apps"): `config` at the bottom, then
`tenants`, `accounts`, `branding`, and the features on top. A lower app that needs a higher one
exposes a hook the higher one registers (tenants.provision_steps, tenants.demo,
tenants.admin.extend_client_admin, tenants.notices, config.limits, branding.hooks).

Checked here: the floors up to branding. Imports between the features are not checked yet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FLOORS = {
    "config": 0,
    "tenants": 1,
    "accounts": 2,
    "branding": 3,
    "chat": 4,
    "documents": 4,
    "billing": 4,
    "analytics": 4,
}
CHECKED_APPS = ("config", "tenants", "accounts", "branding")

# The project's wiring, which lives in config/ but stands above every app: the URLconfs and the
# ASGI application put every app's views and consumers together.
WIRING = {"config.urls_public", "config.urls_tenant", "config.asgi"}

# Imports up the floors that are still to become hooks, as (importing module, imported module).
# The list only shrinks: once an import is gone, its entry must go too.
KNOWN_UPWARD = {
    ("config.api.common", "accounts.models"),  # the signed-in person's type
    ("config.api.throttles", "tenants.models"),
    ("config.limits", "tenants.models"),  # type checking only
    ("accounts.actions.users", "chat.actions"),  # a new person joins the default rooms
    ("accounts.actions.passwords", "branding.emails"),
    ("accounts.actions.invitations", "branding.emails"),
    ("accounts.views.invitations", "branding.theme"),
}


@dataclass(frozen=True)
class Import:
    module: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"

    @property
    def goes_up(self) -> bool:
        target_floor = FLOORS.get(self.target.split(".")[0])
        return target_floor is not None and target_floor > FLOORS[self.module.split(".")[0]]


def imports_of(app: str, root: Path = ROOT) -> Iterator[Import]:
    """Every absolute import in the app's Python files, those inside functions included."""
    for path in sorted((root / app).rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                yield from (Import(module, alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield Import(module, node.module, node.lineno)


def upward_imports() -> list[Import]:
    return [found for app in CHECKED_APPS for found in imports_of(app) if found.goes_up and found.module not in WIRING]


def test_floors_import_nothing_from_a_higher_floor() -> None:
    # when
    unexpected = [str(found) for found in upward_imports() if (found.module, found.target) not in KNOWN_UPWARD]

    # then
    assert unexpected == []


def test_floors_known_upward_imports_are_struck_off_once_gone() -> None:
    # when
    present = {(found.module, found.target) for found in upward_imports()}

    # then
    assert KNOWN_UPWARD - present == set()


def test_floors_tenants_has_no_upward_import_at_all() -> None:
    assert not [pair for pair in KNOWN_UPWARD if pair[0].startswith("tenants.")]
    assert [str(found) for found in imports_of("tenants") if found.goes_up] == []


def test_floors_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    # given: a tenants module that imports chat where nobody looks, and one that imports down
    (tmp_path / "tenants" / "sub").mkdir(parents=True)
    (tmp_path / "tenants" / "sub" / "hidden.py").write_text("def f():\n    from chat.models import Room\n")
    (tmp_path / "tenants" / "fine.py").write_text("from config.api.errors import NotFound\nimport tenants.db\n")

    # when
    found = [str(item) for item in imports_of("tenants", root=tmp_path) if item.goes_up]

    # then
    assert found == ["tenants.sub.hidden:2 imports chat.models"]
