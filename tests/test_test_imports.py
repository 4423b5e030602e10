"""The tests' own layout: a test module imports from the tests package only the factories (tests/factories.py)
and the shared helpers (tests/helpers.py), never another test module or a conftest (fixtures come by name)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SHARED = {"tests.factories", "tests.helpers"}


def _imports_of_tests(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else [f"{'.' * node.level}{node.module or ''}"]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [n for n in names if n.startswith((".", "tests.")) or n == "tests"]
    return found


def test_test_modules_import_only_the_factories_and_the_helpers():
    wrong = {str(path.relative_to(TESTS)): bad for path in sorted(TESTS.rglob("*.py"))
             if (bad := [name for name in _imports_of_tests(path) if name not in SHARED])}
    assert not wrong, wrong


def test_the_factories_and_the_helpers_import_no_test_module():
    assert _imports_of_tests(TESTS / "factories.py") == []
    assert set(_imports_of_tests(TESTS / "helpers.py")) <= {"tests.factories"}
