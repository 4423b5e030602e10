"""The one commit per request, as Indico's request handler has it: operations add, change and flush, and
nothing below this module commits or rolls back.

- A page or API view's work is committed once, after the view returns a successful answer (status below
  400) to a write (POST, PATCH…); it is rolled back when the view raises (ExchangeError included: the error
  handlers answer after the rollback) and when it answers with an error status (a form shown again with its
  errors). A read (GET, HEAD, OPTIONS) is never committed: its transaction ends with the request. A commit
  refused by the database (IntegrityError, StaleDataError) is rolled back and raised to the error handlers
  (409), and the messages the view flashed for a change that did not happen are dropped.
- `all_or_nothing()` wraps operations whose refusal the view answers itself (the form again with the errors,
  or a message and a redirect): the refusal undoes everything the request did so far, then propagates.
- `command_transaction` does the same for a CLI command (and the seeds it runs): one commit when it returns,
  a rollback when it fails or exits.

Writes that must not share the request's transaction are queued with `core.side_writes.defer_write` and
made after it; SQLite's `BEGIN IMMEDIATE` for writes stays in `core.database`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, message_flashed, request, session
from sqlalchemy.orm.exc import StaleDataError

from exchange.core.database import SAFE_METHODS
from exchange.core.errors import ExchangeError
from exchange.core.extensions import db

REFUSALS = (ExchangeError, StaleDataError)
_FLASHES = "_flashes"  # where Flask keeps flashed messages in the session


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Run operations as one change: on a refusal (ExchangeError, or a concurrent edit: StaleDataError)
    everything the request did so far is rolled back before the refusal propagates, so that the view's
    answer ("Nothing was changed: …", the form again) is true and shows the stored records."""
    try:
        yield
    except REFUSALS:
        db.session.rollback()
        raise


def _finish(response) -> None:
    """Commit a successful write, roll back a refused one; leave a read's transaction to end with the request
    (a streamed answer, such as an export, still reads in it)."""
    if request.method in SAFE_METHODS:
        return
    if response.status_code >= 400:
        db.session.rollback()
        return
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _forget_flashes()
        raise


def _remember_flash(_app, message, category, **_extra) -> None:
    g.setdefault("_flashed_in_view", []).append((category, message))


def _forget_flashes() -> None:
    """The view said "done" before the commit that failed: drop what it flashed (kept before it ran)."""
    flashed = g.pop("_flashed_in_view", [])
    if flashed and session.get(_FLASHES):
        session[_FLASHES] = session[_FLASHES][:-len(flashed)]


def in_request_transaction(view: Callable) -> Callable:
    """`view` with its work committed once when it succeeds, rolled back otherwise (see the module)."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        g.pop("_flashed_in_view", None)  # what the view itself flashes, not the hooks before it
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        _finish(response)
        return response

    run.in_request_transaction = True
    return run


def register(app: Flask) -> None:
    """Wrap every view of `app` (call once every blueprint is registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "in_request_transaction", False):
            app.view_functions[endpoint] = in_request_transaction(view)
    message_flashed.connect(_remember_flash, app, weak=False)


def command_transaction(command: Callable) -> Callable:
    """A CLI command whose work is committed once when it returns, and rolled back when it raises or exits."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return run
