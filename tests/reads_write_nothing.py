"""A probe for "a read never writes in its transaction": while it is active, every INSERT, UPDATE or DELETE
that the request's own session runs (flushed or executed) during a GET or HEAD is noted, with its path.
Side writes (side_writes.defer_write) run on connections of their own, after the request, and are not
noted: they are the allowed way for a read to leave a trace."""
from __future__ import annotations

from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase


@contextmanager
def writes_in_reads():
    offenders: list[str] = []

    def in_a_read() -> bool:
        return has_request_context() and request.method in ("GET", "HEAD")

    def before_flush(session, _context, _instances):
        if in_a_read() and (session.new or session.dirty or session.deleted):
            changed = [type(o).__name__ for o in (*session.new, *session.dirty, *session.deleted)]
            offenders.append(f"{request.method} {request.full_path}: flushes {sorted(set(changed))}")

    def do_orm_execute(state):
        if in_a_read() and isinstance(state.statement, UpdateBase):
            offenders.append(f"{request.method} {request.full_path}: {state.statement.__visit_name__} "
                             f"{getattr(state.statement.table, 'name', '')}")

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "do_orm_execute", do_orm_execute)
    try:
        yield offenders
    finally:
        event.remove(Session, "before_flush", before_flush)
        event.remove(Session, "do_orm_execute", do_orm_execute)
