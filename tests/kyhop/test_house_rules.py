"""The layout's rules, checked in the suite so CI enforces them.

Tests share fixtures through pytest's own mechanisms (conftest.py files and ``pytest_plugins``)
and helpers through ``helpers.py`` modules; a ``test_*.py`` file holds tests; application
modules import no other module's ``_private`` name and form no import cycle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "audit", "documents", "signing", "meetings", "background", "kyhop")


def _modules(*tops: str) -> dict[str, Path]:
    found = {}
    for top in tops:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path, *, top_level_only: bool = False) -> list[ast.ImportFrom | ast.Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    return [node for node in nodes if isinstance(node, ast.Import | ast.ImportFrom)]


def _imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def test_no_test_module_imports_from_a_conftest():
    importers = set()
    for path in _modules("tests").values():
        for node in _imports(path):
            if any(part == "conftest" for n in _imported_names(node) for part in n.split(".")):
                importers.add(str(path.relative_to(ROOT)))
    # Shared fixtures are taken by name (tests/conftest.py loads the fixtures.py modules),
    # plain helpers imported from helpers.py modules.
    assert importers == set(), "import helpers from helpers.py, take fixtures by name"


def test_no_test_module_imports_from_another_test_module():
    # A helper two test modules need goes to a helpers.py module, a fixture to a conftest.py or
    # a fixtures.py module that tests/conftest.py loads.
    importers = set()
    for path in _modules("tests").values():
        for node in _imports(path):
            names = _imported_names(node)
            if any(n.split(".")[-1].startswith("test_") for n in names[:1]):
                importers.add(str(path.relative_to(ROOT)))
    assert importers == set()


def test_every_test_file_holds_tests():
    empty = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        if not any(n.startswith("test_") or n.startswith("Test") for n in names):
            empty.append(str(path.relative_to(ROOT)))
    assert empty == []


def test_no_module_imports_another_modules_private_name():
    offenders = []
    for name, path in _modules(*APPS).items():
        for node in _imports(path):
            if not isinstance(node, ast.ImportFrom) or node.level:
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and node.module != name:
                    offenders.append(f"{name}: from {node.module} import {alias.name}")
    assert offenders == []


def test_application_modules_form_no_import_cycle():
    modules = _modules(*APPS)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _imports(path, top_level_only=True):
            for target in _imported_names(node):
                if target in modules and target != name:
                    graph[name].add(target)
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


# "issue 12", "issues 6", "(issue 6, item 5)": a tracker the reader of the code cannot see.
_ISSUE_REFERENCE = re.compile(r"\bissues? +\d+", re.IGNORECASE)


def test_no_code_refers_to_an_issue_number():
    found = []
    here = Path(__file__).resolve()
    for top in (*APPS, "templates", "static/js", "tests"):
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in {".py", ".html", ".js", ".css", ".txt"} or path == here:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _ISSUE_REFERENCE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []
