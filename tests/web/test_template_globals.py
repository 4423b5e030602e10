"""Templates load nothing: the Jinja globals our code registers are pure helpers (no query, no matching engine),
so a page shows what its view loaded (the parts other areas show come as panels, core/panels.py). The one
query of the page shell is the navigation's unread count, loaded once per page by the inbox's context
processor."""
from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import event

from exchange.core.extensions import db
from exchange.people.models import User

PURE_GLOBALS = {"may_enter", "is_office", "is_requesting_state", "status_badge",
                "page_language", "page_direction", "language_switch", "lang_attributes",
                "reference_name", "organisation_name", "changed_fields"}
USING_EVERY_GLOBAL = ("{{ may_enter('requests.index') }} {{ may_enter('admin.users') }} {{ is_office(current_user) }}"
                      " {{ is_requesting_state(current_user, req) }} {{ status_badge('request', 'open') }}"
                      " {{ status_badge('match', 'proposed') }} {{ page_language() }} {{ page_direction() }}"
                      " {{ language_switch() }} {{ lang_attributes('ru') }} {{ reference_name('country', 'KAZ') }}"
                      " {{ organisation_name(current_user.organisation) }} {{ changed_fields('request', ['title']) }}")


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def signed_in(person) -> User:
    user = db.session.get(User, person.id)
    login_user(user)
    assert user.organisation.is_approved is not None  # loaded, as the guard has by the time a page renders
    return user


def test_our_template_globals_are_only_the_pure_helpers(app):
    ours = {name for name, value in app.jinja_env.globals.items()
            if getattr(value, "__module__", "").startswith("exchange")}
    assert ours == PURE_GLOBALS  # a new global that loads data belongs in its view (or a panel)


@pytest.mark.parametrize("person", ["state", "provider", "coordinator", "admin"])
def test_template_globals_run_no_sql(app, people, person):
    with app.test_request_context("/"):
        user = signed_in(getattr(people, person))
        template = app.jinja_env.from_string(USING_EVERY_GLOBAL)  # globals only: no context processor runs
        with statements() as seen:
            html = template.render(current_user=user, req=SimpleNamespace(organisation_id=user.organisation_id))
    assert "badge-status" in html
    assert seen == []


def test_the_page_shell_loads_only_the_unread_count(app, people):
    with app.test_request_context("/"):
        user = signed_in(people.state)
        with statements() as seen:
            html = render_template_string("{{ inbox_unread }} " + USING_EVERY_GLOBAL,
                                          req=SimpleNamespace(organisation_id=user.organisation_id))
    assert html.startswith("0 ")
    assert len(seen) == 1 and "notifications" in seen[0]
