"""The one commit per request (core/transactions.py): a view's work is committed once when it answers a
write successfully, and not when it raises, answers with an error status, or only reads; a commit the
database refuses takes back the "done" message the view flashed."""
from __future__ import annotations

import pytest
from flask import flash, get_flashed_messages
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exchange.core.errors import Conflict
from exchange.core.extensions import db
from exchange.core.transactions import in_request_transaction
from exchange.people.models import Organisation


def _add_organisation(code: str) -> None:
    db.session.add(Organisation(code=code, name=f"Organisation {code}", kind="task_force_entity"))
    db.session.flush()


def _exists(app, code: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(Organisation).where(Organisation.code == code)) is not None


def _run(app, method: str, view):
    with app.test_request_context("/", method=method):
        return in_request_transaction(view)()


def test_a_successful_write_is_committed_once(app):
    assert _run(app, "POST", lambda: (_add_organisation("TX-OK"), "done")[1]).status_code == 200
    assert _exists(app, "TX-OK")


@pytest.mark.parametrize("method, status", [("POST", 422), ("POST", 409), ("GET", 200), ("HEAD", 200)])
def test_an_error_answer_or_a_read_is_not_committed(app, method, status):
    assert _run(app, method, lambda: (_add_organisation("TX-NO"), ("shown again", status))[1]).status_code == status
    assert not _exists(app, "TX-NO")


def test_a_refusal_raised_by_the_view_is_rolled_back_and_propagates(app):
    def view():
        _add_organisation("TX-REFUSED")
        raise Conflict("Not now.")
    with pytest.raises(Conflict):
        _run(app, "POST", view)
    assert not _exists(app, "TX-REFUSED")


def test_a_commit_the_database_refuses_is_rolled_back_and_its_done_message_dropped(app):
    def view():
        db.session.add(Organisation(code="CTITF", name="A second office", kind="task_force_office"))
        flash("Organisation CTITF created.", "success")
        return "done"
    with app.test_request_context("/", method="POST"):
        flash("From before.", "info")
        with pytest.raises(IntegrityError):
            in_request_transaction(view)()
        assert get_flashed_messages() == ["From before."]
