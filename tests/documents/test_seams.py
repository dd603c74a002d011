"""Documents builds on chat, never the other way round (STYLE.md, "Across apps"): chat reaches
documents only through chat.attachments, which documents registers itself into. Any import of
`documents` from chat's code, at the top of a module or inside a function, would tie the two
both ways."""

from __future__ import annotations

import ast
from pathlib import Path

from chat.attachments import registered
from documents.attachments import DocumentAttachments

CHAT = Path(__file__).resolve().parents[2] / "chat"


def imports_of(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import of `package` or one of its modules, wherever it stands."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [(node.lineno, module) for module in modules if module.split(".")[0] == package]
    return found


def test_imports_of_finds_documents_at_module_level_and_inside_functions() -> None:
    # given a module that imports documents three ways, one of them inside a function
    source = (
        "import documents.models\n"
        "from documents import access\n"
        "from chat import attachments\n"
        "def later():\n"
        "    from documents.payloads import document_payload\n"
    )

    # when it is scanned
    found = imports_of(source, "documents")

    # then every one is caught, and only those
    assert found == [(1, "documents.models"), (2, "documents"), (5, "documents.payloads")]


def test_chat_never_imports_documents() -> None:
    # given every Python file of the chat app
    files = sorted(CHAT.rglob("*.py"))
    assert files

    # when each is parsed
    offending = [
        f"{path.relative_to(CHAT.parent)}:{line} imports {module}"
        for path in files
        for line, module in imports_of(path.read_text(encoding="utf-8"), "documents")
    ]

    # then none imports documents
    assert offending == []


def test_documents_register_themselves_as_what_chat_messages_carry() -> None:
    # given the apps loaded as the server loads them (DocumentsConfig.ready() has run)
    # when chat asks what its messages carry
    carried = registered()

    # then it is documents' implementation, not chat's default that carries nothing
    assert isinstance(carried, DocumentAttachments)
