"""The layout's rules that import-linter cannot see: nothing below the views reads the request context.

import-linter (`make lint`) holds who imports whom; it sees modules, not names, so it cannot tell
`from flask import request` from `from flask import Blueprint`. This test reads every module of the package
and refuses the request-context names (request, session, current_user, flash) outside the HTTP layer: the
views and API modules, the page and API shells, and the request hooks of the core listed below.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "exchange"
REQUEST_CONTEXT = {("flask", "request"), ("flask", "session"), ("flask", "flash"),
                   ("flask_login", "current_user")}
# Modules that are the HTTP layer: every area's pages and API, the shells, and the hooks that wrap each request.
HTTP_LAYER_NAMES = {"views.py", "api.py", "triage.py", "inbox.py", "import_views.py", "directory.py",
                    "security_review.py", "suggestions.py", "suggestions_api.py", "notifications_api.py",
                    "admin_views.py", "iati_import_views.py", "public_views.py"}
HTTP_LAYER_FOLDERS = ("web/", "api/", "people/views/")
REQUEST_HOOKS = {
    "core/guard.py": "identifies the caller before every request",
    "core/i18n.py": "chooses each answer's language (?lang=, the account, the cookie, Accept-Language)",
    "core/access.py": "enforce_route_rule reads the endpoint of the request being guarded",
    "core/security.py": "adds the security headers to every response",
    "core/database.py": "begins SQLite write transactions with BEGIN IMMEDIATE for unsafe methods",
    "core/transactions.py": "commits each view's work once, after its answer, and takes back its flashed messages",
    "audit/security_events.py": "records the address and path of the request a security event is about",
}


def _http_layer(relative: str) -> bool:
    return (relative.rsplit("/", 1)[-1] in HTTP_LAYER_NAMES or relative.startswith(HTTP_LAYER_FOLDERS)
            or relative in REQUEST_HOOKS)


def _request_context_imports(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            found += [f"{node.module}.{a.name}" for a in node.names if (node.module, a.name) in REQUEST_CONTEXT]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in REQUEST_CONTEXT:
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_nothing_below_the_views_reads_the_request_context():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if _http_layer(relative):
            continue
        names = _request_context_imports(ast.parse(path.read_text(encoding="utf-8")))
        if names:
            offenders.append(f"exchange/{relative}: {', '.join(names)}")
    assert offenders == []


def test_the_request_hooks_listed_exist_and_still_need_the_request():
    """The exceptions above stay true: each file exists and does read the request context."""
    for relative in REQUEST_HOOKS:
        tree = ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))
        assert _request_context_imports(tree), f"{relative} no longer reads the request: drop it from the list"


def test_the_check_catches_a_module_that_reads_the_request():
    tree = ast.parse("from flask import request\n\ndef f():\n    return request.args\n")
    assert _request_context_imports(tree) == ["flask.request"]
