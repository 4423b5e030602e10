"""What the flushes of a transaction noted, handed over once it commits and dropped when it rolls back: the one
mechanism behind the work that follows a commit (live events, telling saved searches, refreshing text vectors).

`after_commit(name, note, deliver)`: after each flush of the application's session, `note(session)` returns
what that flush is about (a list, maybe empty; `add` notes an item by hand); once the outermost transaction commits, `deliver(items)` gets
everything its flushes noted, in order (it is not called when nothing was). A rollback of the outermost
transaction drops it all; a savepoint's rollback keeps what was noted before it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from exchange.core.extensions import db

log = logging.getLogger(__name__)

_KEY = "exchange_noted"
_HOOKS: dict[str, tuple[Callable[[Session], Iterable], Callable[[list], None]]] = {}


def after_commit(name: str, note: Callable[[Session], Iterable], deliver: Callable[[list], None]) -> None:
    """Note with `note` after each flush, `deliver` after the commit (once per name and process)."""
    if name in _HOOKS:
        return
    _HOOKS[name] = (note, deliver)
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)


def add(session: Session, name: str, item) -> None:
    """Note `item` for `name`'s delivery by hand (a change that a flush would not show)."""
    session.info.setdefault(_KEY, {}).setdefault(name, []).append(item)


def _after_flush(session: Session, _context) -> None:
    for name, (note, _deliver) in _HOOKS.items():
        found = list(note(session))
        if found:
            session.info.setdefault(_KEY, {}).setdefault(name, []).extend(found)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for name, items in (session.info.pop(_KEY, None) or {}).items():
        try:
            _HOOKS[name][1](items)
        except Exception:  # the change is committed; one follower failing must not stop the others
            log.exception("After the commit, %s failed", name)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_KEY, None)
