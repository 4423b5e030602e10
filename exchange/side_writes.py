"""Writes that must not share the web request's transaction: a security event on a refused or read-only
request, a token's last use. They are queued while the request runs and made after it, once its own
session is closed, each in a transaction of its own (so a read never writes in its transaction, and on
SQLite a queued write never waits on the request's own lock). Outside a request they run at once."""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, g, has_request_context
from sqlalchemy import Connection

from .extensions import db

log = logging.getLogger(__name__)

Write = Callable[[Connection], None]


def defer_write(write: Write) -> None:
    """Run `write(connection)` in its own transaction after the current request (at once outside one)."""
    if has_request_context():
        g.setdefault("_side_writes", []).append(write)
    else:
        _run([write])


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
