"""Writes that must not share the web request's transaction: a security event on a refused or read-only
request, a token's last use. They are queued while the request runs and made after it, once its own
session is closed, each in a transaction of its own (so a read never writes in its transaction, and on
SQLite a queued write never waits on the request's own lock). Outside a request they run at once."""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, g, has_request_context
from sqlalchemy import Connection, event

from exchange.core.extensions import db

log = logging.getLogger(__name__)

Write = Callable[[Connection], None]


def defer_write(write: Write) -> None:
    """Run `write(connection)` in its own transaction after the current request. Outside a request (a
    command, a test): after the session's transaction commits (dropped if it rolls back), at once when none
    is open (on SQLite a second connection cannot write while that transaction holds the lock)."""
    if has_request_context():
        g.setdefault("_side_writes", []).append(write)
    elif (session := db.session()).in_transaction():
        session.info.setdefault("_side_writes", []).append(write)
        if not session.info.get("_side_writes_hooked"):
            session.info["_side_writes_hooked"] = True
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_rollback", _after_rollback)
    else:
        _run([write])


def _after_commit(session) -> None:
    _run(session.info.pop("_side_writes", []))


def _after_rollback(session) -> None:
    session.info.pop("_side_writes", None)


def _run(writes: list[Write]) -> None:
    for write in writes:
        try:
            with db.engine.begin() as connection:
                write(connection)
        except Exception:  # a lost side write must never turn into a failed request
            log.exception("A deferred write failed")


def register(app: Flask) -> None:
    @app.teardown_request
    def _flush_side_writes(_exc):
        writes = g.pop("_side_writes", None)
        if writes:
            db.session.remove()  # end the request's own transaction (and its lock) first
            _run(writes)
